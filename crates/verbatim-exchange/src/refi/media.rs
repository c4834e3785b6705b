//! Audio and video sources in REFI-QDA: the recording, its transcript and
//! the sync points that tie the two.
//!
//! The standard keeps a recording as an `AudioSource` or `VideoSource`
//! whose `path` names the media file, with `Transcript`s (texts, by
//! `plainTextPath` or inline) and `SyncPoint`s pairing a char `position`
//! in a transcript with a `timeStamp` in milliseconds.
//!
//! - **Export** ([`add_recordings`]): a source with a recording keeps its
//!   `TextSource` (which carries the codings, exactly placed, and the
//!   turns in its `[verbatim:turns]` marker) and gains a media source whose
//!   file goes into the archive's `sources/` and whose transcript points
//!   at the same text file, with a sync point at the start of every timed
//!   turn and at the end of every turn whose end is known. Positions count
//!   in the target's units (UTF-16 for NVivo, ATLAS.ti and MAXQDA).
//! - **Import**: a transcript whose text file is a `TextSource`'s is that
//!   source (verbatim's own exports); another tool's transcript becomes a
//!   new source, its speaker turns found from the labels and timed by the
//!   sync points (a turn starts at the last sync point between the
//!   previous turn's start and its own), or, when it has no labels, cut at
//!   the sync points into timed segments. The recording, when the archive
//!   holds it, is attached after the import ([`recordings_to_attach`]); one
//!   outside the archive is reported. Selections and codings made on the
//!   recording's time line (`AudioSelection`, `VideoSelection`) stay
//!   uncarried: verbatim codes text.

use std::collections::HashMap;
use std::path::PathBuf;

use verbatim_core::{Format, NormalisedSource, SourceKind, SourceMetadata, Span, Turn};
use verbatim_store::{ImportItem, ImportPlan, PlanSource, Snapshot};

use super::export::Exported;
use super::guid::{derived, is_guid, key};
use super::model::{Project, TextSource, Uncarried};
use super::xml::{Element, attr};
use super::{ReadProject, RefiError, Report};

/// `AudioSource` or `VideoSource`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaSource {
    /// `@guid`.
    pub guid: String,
    /// True for a `VideoSource`.
    pub video: bool,
    /// `@name`.
    pub name: Option<String>,
    /// `@path`: the media file.
    pub path: Option<String>,
    /// `Transcript`s.
    pub transcripts: Vec<Transcript>,
}

/// `Transcript`: a text (with the fields a `TextSource` has) and its sync
/// points.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    /// `@guid`, `@name`, `@plainTextPath`, `PlainTextContent`.
    pub text: TextSource,
    /// `SyncPoint`s, as written.
    pub sync_points: Vec<SyncPoint>,
}

/// `SyncPoint`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncPoint {
    /// `@guid`.
    pub guid: String,
    /// `@position`: a position in the transcript's text.
    pub position: Option<i64>,
    /// `@timeStamp`: milliseconds into the recording.
    pub time_ms: Option<i64>,
}

/// What reading found of a media source's files, in `ReadProject::media`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaFiles {
    /// Each transcript's text (same order), `None` when missing.
    pub transcripts: Vec<Option<String>>,
    /// The recording's bytes, when the archive holds them.
    pub recording: Option<Vec<u8>>,
    /// The recording's file name (the last part of `@path`).
    pub file_name: String,
}

/// Reads an `AudioSource` or `VideoSource`; its time-line selections and
/// codings are counted as uncarried.
pub(crate) fn read_source(s: &Element, lost: &mut Uncarried) -> MediaSource {
    for c in &s.children {
        if c.name.ends_with("Selection") {
            lost.media_selections += 1;
            lost.media_codings += c.all("Coding").count();
        } else if c.name == "Coding" {
            lost.media_codings += 1;
        }
    }
    let number = |e: &Element, name: &str| e.attr(name).and_then(|v| v.trim().parse().ok());
    MediaSource {
        guid: s.attr("guid").unwrap_or_default().to_owned(),
        video: s.name == "VideoSource",
        name: s.attr_nonempty("name").map(str::to_owned),
        path: s.attr_nonempty("path").map(str::to_owned),
        transcripts: s
            .all("Transcript")
            .map(|t| Transcript {
                text: TextSource {
                    guid: t.attr("guid").unwrap_or_default().to_owned(),
                    name: t.attr_nonempty("name").map(str::to_owned),
                    plain_text_path: t.attr_nonempty("plainTextPath").map(str::to_owned),
                    rich_text_path: t.attr_nonempty("richTextPath").map(str::to_owned),
                    content: t.first("PlainTextContent").map(|c| c.text.clone()),
                    ..TextSource::default()
                },
                sync_points: t
                    .all("SyncPoint")
                    .map(|p| SyncPoint {
                        guid: p.attr("guid").unwrap_or_default().to_owned(),
                        position: number(p, "position"),
                        time_ms: number(p, "timeStamp"),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Writes the project's media sources (inside `<Sources>`).
pub(crate) fn write_sources(out: &mut String, media: &[MediaSource]) {
    for m in media {
        let element = if m.video {
            "VideoSource"
        } else {
            "AudioSource"
        };
        out.push('<');
        out.push_str(element);
        attr(out, "guid", &m.guid);
        if let Some(name) = &m.name {
            attr(out, "name", name);
        }
        if let Some(path) = &m.path {
            attr(out, "path", path);
        }
        out.push_str(">\n");
        for t in &m.transcripts {
            out.push_str("<Transcript");
            attr(out, "guid", &t.text.guid);
            if let Some(name) = &t.text.name {
                attr(out, "name", name);
            }
            if let Some(path) = &t.text.plain_text_path {
                attr(out, "plainTextPath", path);
            }
            out.push_str(">\n");
            for p in &t.sync_points {
                out.push_str("<SyncPoint");
                attr(out, "guid", &p.guid);
                if let Some(ms) = p.time_ms {
                    attr(out, "timeStamp", &ms.to_string());
                }
                if let Some(at) = p.position {
                    attr(out, "position", &at.to_string());
                }
                out.push_str("/>\n");
            }
            out.push_str("</Transcript>\n");
        }
        out.push_str("</");
        out.push_str(element);
        out.push_str(">\n");
    }
}

/// A recording of the study, as the export needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyRecording {
    /// The source's id.
    pub source_id: i64,
    /// True for a video.
    pub video: bool,
    /// The container, also the file's extension (`wav`, `mp4`).
    pub container: String,
    /// The file's name when it was attached.
    pub original_name: String,
    /// Where the file is kept.
    pub file: PathBuf,
}

/// Adds a media source for each recording whose source the export holds:
/// the file goes to `sources/<guid>.<container>`, the transcript points at
/// the source's text file, the turn times become sync points.
pub fn add_recordings(
    exported: &mut Exported,
    snapshot: &Snapshot,
    recordings: &[StudyRecording],
    utf16: bool,
) {
    let study = snapshot.study_guid.as_str();
    let path_of: HashMap<&str, &str> = exported
        .project
        .sources
        .iter()
        .filter_map(|s| Some((s.name.as_deref()?, s.plain_text_path.as_deref()?)))
        .collect();
    let mut media = Vec::new();
    for rec in recordings {
        let Some(src) = snapshot.sources.iter().find(|s| s.id == rec.source_id) else {
            continue;
        };
        let Some(&text_path) = path_of.get(src.name.as_str()) else {
            continue;
        };
        let guid = derived(study, "recording", &src.guid);
        let file = format!("{guid}.{}", rec.container);
        let mut marks: Vec<(i64, &str, i64)> = Vec::new();
        for t in &src.turns {
            if let Some(b) = t.begin_ms {
                marks.push((t.start, "begin", b));
            }
            if let Some(e) = t.end_ms {
                marks.push((t.end, "end", e));
            }
        }
        let positions = unit_positions(&src.text, marks.iter().map(|m| m.0), utf16);
        let sync_points = marks
            .iter()
            .zip(positions)
            .enumerate()
            .map(|(i, ((_, what, ms), at))| SyncPoint {
                guid: derived(study, "sync point", &format!("{}:{i}:{what}", src.guid)),
                position: Some(at),
                time_ms: Some(*ms),
            })
            .collect();
        media.push(MediaSource {
            guid: guid.clone(),
            video: rec.video,
            name: Some(rec.original_name.clone()),
            path: Some(format!("internal://{file}")),
            transcripts: vec![Transcript {
                text: TextSource {
                    guid: derived(study, "transcript", &src.guid),
                    name: Some(src.name.clone()),
                    plain_text_path: Some(text_path.to_owned()),
                    ..TextSource::default()
                },
                sync_points,
            }],
        });
        exported.recordings.push((file, rec.file.clone()));
    }
    exported.project.media = media;
}

/// Converts char positions to the target's units (UTF-16 code units when
/// `utf16`), walking the text once.
fn unit_positions(text: &str, chars: impl Iterator<Item = i64>, utf16: bool) -> Vec<i64> {
    let wanted: Vec<i64> = chars.collect();
    if !utf16 {
        return wanted;
    }
    let mut order: Vec<usize> = (0..wanted.len()).collect();
    order.sort_by_key(|&i| wanted[i]);
    let mut out = vec![0; wanted.len()];
    let (mut at_char, mut at_unit) = (0i64, 0i64);
    let mut it = text.chars();
    for i in order {
        while at_char < wanted[i] {
            let Some(c) = it.next() else { break };
            at_char += 1;
            at_unit += c.len_utf16() as i64;
        }
        out[i] = at_unit;
    }
    out
}

/// Fetches each media source's recording (an archive entry, or a file in
/// the folder the user trusts); one that cannot be read is reported and
/// the import goes on without it.
pub(crate) fn fetch_recordings(
    project: &Project,
    transcripts: Vec<Vec<Option<String>>>,
    fetch: &mut super::Fetch<'_>,
    report: &mut Report,
) -> Result<Vec<MediaFiles>, RefiError> {
    let mut out = Vec::with_capacity(project.media.len());
    for (m, texts) in project.media.iter().zip(transcripts) {
        let label = m.name.clone().unwrap_or_else(|| m.guid.clone());
        let file_name = m
            .path
            .as_deref()
            .map(|p| p.rsplit(['/', '\\']).next().unwrap_or(p).to_owned())
            .unwrap_or_default();
        let recording = match m.path.as_deref().map(&mut *fetch) {
            Some(Ok(Some(bytes))) => Some(bytes),
            Some(Ok(None)) | None => {
                report.skipped.push(format!(
                    "the recording {label:?} was not found in the project; its transcript is imported without it: attach the file with `verbatim media attach SOURCE FILE`"
                ));
                None
            }
            Some(Err(e @ (RefiError::OutsideProject { .. } | RefiError::TooLarge { .. }))) => {
                report.skipped.push(format!(
                    "the recording {label:?} was not read ({e}); attach it later with `verbatim media attach SOURCE FILE`"
                ));
                None
            }
            Some(Err(e)) => return Err(e),
        };
        out.push(MediaFiles {
            transcripts: texts,
            recording,
            file_name,
        });
    }
    Ok(out)
}

/// Plans a source for each transcript that is not already a `TextSource`
/// of the project, with turns timed by its sync points; a media source
/// with no readable transcript is reported as not carried.
pub(crate) fn plan_transcripts(
    read: &ReadProject,
    plan: &mut ImportPlan,
    report: &mut Report,
    turns_of: impl Fn(&str, &str) -> Vec<Turn>,
) {
    let text_paths = text_paths(&read.project);
    for (m, files) in read.project.media.iter().zip(&read.media) {
        let mut carried = false;
        for (t, text) in m.transcripts.iter().zip(&files.transcripts) {
            if is_text_source(t, &text_paths).is_some() {
                carried = true;
                continue;
            }
            let Some(raw) = text else {
                continue;
            };
            let text = super::offsets::canonical_text(raw);
            let name = t
                .text
                .name
                .clone()
                .or_else(|| m.name.clone())
                .unwrap_or_else(|| key(&t.text.guid));
            let turns = timed_turns(turns_of(&name, &text), &t.sync_points, &text);
            match NormalisedSource::new(
                Format::Txt,
                text,
                turns,
                Vec::new(),
                SourceMetadata::default(),
            ) {
                Ok(source) => {
                    plan.sources.push(PlanSource {
                        guid: is_guid(&t.text.guid).then(|| key(&t.text.guid)),
                        item: ImportItem {
                            name,
                            original_path: None,
                            kind: SourceKind::default(),
                            site: None,
                            language: None,
                            source,
                        },
                        speaker_map: Vec::new(),
                    });
                    carried = true;
                }
                Err(why) => report.skipped.push(format!(
                    "the transcript {name:?} could not be imported: {why}"
                )),
            }
        }
        if !carried {
            let kind = if m.video { "video" } else { "audio" };
            let name = m.name.clone().unwrap_or_else(|| key(&m.guid));
            report.losses.push(format!(
                "the {kind} source {name:?} is not carried: it has no transcript whose text the project holds, and verbatim works on transcripts"
            ));
        }
    }
}

/// The project's text sources by the key of their text file's path.
fn text_paths(project: &Project) -> HashMap<String, String> {
    project
        .sources
        .iter()
        .filter_map(|s| Some((key(s.plain_text_path.as_deref()?), key(&s.guid))))
        .collect()
}

/// The GUID key of the `TextSource` a transcript is (the same text file).
fn is_text_source<'p>(
    t: &Transcript,
    text_paths: &'p HashMap<String, String>,
) -> Option<&'p String> {
    text_paths.get(&key(t.text.plain_text_path.as_deref()?))
}

/// Times the turns found from labels by the sync points, or, when there
/// are none, cuts the text into timed segments at the sync points.
fn timed_turns(mut turns: Vec<Turn>, points: &[SyncPoint], text: &str) -> Vec<Turn> {
    let chars = text.chars().count() as i64;
    let mut points: Vec<(i64, i64)> = points
        .iter()
        .filter_map(|p| Some((p.position?, p.time_ms?)))
        .filter(|&(at, ms)| (0..=chars).contains(&at) && ms >= 0)
        .collect();
    points.sort_unstable();
    points.dedup_by_key(|p| p.0);
    if turns.is_empty() {
        return points
            .iter()
            .enumerate()
            .filter_map(|(i, &(at, ms))| {
                let next = points.get(i + 1);
                let end = next.map_or(chars, |n| n.0);
                let span = Span::new(usize::try_from(at).ok()?, usize::try_from(end).ok()?).ok()?;
                (!span.is_empty()).then(|| Turn {
                    speaker: None,
                    span,
                    begin_ms: u64::try_from(ms).ok(),
                    end_ms: next.and_then(|n| u64::try_from(n.1).ok()),
                })
            })
            .collect();
    }
    let mut previous = 0i64;
    for turn in &mut turns {
        let start = turn.span.start() as i64;
        turn.begin_ms = points
            .iter()
            .rev()
            .find(|&&(at, _)| at <= start && at >= previous)
            .and_then(|&(_, ms)| u64::try_from(ms).ok());
        previous = start;
    }
    turns
}

/// A recording to attach once the project is imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingToAttach<'r> {
    /// The GUID key of the source it goes to.
    pub source_guid: String,
    /// The file's name (its extension tells nothing: the store checks the
    /// bytes).
    pub file_name: &'r str,
    /// The file's bytes.
    pub bytes: &'r [u8],
}

/// Returns the recordings the project holds, each with the source it goes
/// to: the `TextSource` its transcript is, else its first transcript with
/// a text and a GUID (the source [`plan_transcripts`] made of it).
pub fn recordings_to_attach(read: &ReadProject) -> Vec<RecordingToAttach<'_>> {
    let text_paths = text_paths(&read.project);
    let mut out = Vec::new();
    for (m, files) in read.project.media.iter().zip(&read.media) {
        let Some(bytes) = files.recording.as_deref() else {
            continue;
        };
        let target =
            m.transcripts.iter().zip(&files.transcripts).find_map(
                |(t, text)| match is_text_source(t, &text_paths) {
                    Some(source) => Some(source.clone()),
                    None => (text.is_some() && is_guid(&t.text.guid)).then(|| key(&t.text.guid)),
                },
            );
        if let Some(source_guid) = target {
            // The media source's name is the file's original name when
            // verbatim wrote it (and a title in some tools).
            let file_name = m
                .name
                .as_deref()
                .filter(|n| !n.trim().is_empty() && !n.contains(['/', '\\']))
                .unwrap_or(&files.file_name);
            out.push(RecordingToAttach {
                source_guid,
                file_name,
                bytes,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(position: i64, time_ms: i64) -> SyncPoint {
        SyncPoint {
            guid: String::new(),
            position: Some(position),
            time_ms: Some(time_ms),
        }
    }

    #[test]
    fn sync_points_cut_an_unlabelled_transcript_into_timed_segments() {
        // 30 chars; sync points at 0 (0 s), 12 (2.5 s) and 20 (4 s).
        let text = "Première phrase. Seconde. Fin.";
        assert_eq!(text.chars().count(), 30);
        let turns = timed_turns(
            Vec::new(),
            &[point(12, 2500), point(0, 0), point(20, 4000)],
            text,
        );
        let got: Vec<_> = turns
            .iter()
            .map(|t| (t.span.start(), t.span.end(), t.begin_ms, t.end_ms))
            .collect();
        assert_eq!(
            got,
            vec![
                (0, 12, Some(0), Some(2500)),
                (12, 20, Some(2500), Some(4000)),
                (20, 30, Some(4000), None),
            ]
        );
    }

    #[test]
    fn a_labelled_turn_starts_at_the_last_sync_point_before_it() {
        let turn = |start: usize, end: usize| Turn {
            speaker: Some("P1".into()),
            span: Span::new(start, end).unwrap(),
            begin_ms: None,
            end_ms: None,
        };
        // Turns speak from 6 and from 30; sync points at 0 (1 s), 25 (7 s)
        // and 40 (9 s, inside the second turn: not its start).
        let text = "x".repeat(50);
        let turns = timed_turns(
            vec![turn(6, 24), turn(30, 50)],
            &[point(0, 1000), point(25, 7000), point(40, 9000)],
            &text,
        );
        assert_eq!(turns[0].begin_ms, Some(1000));
        assert_eq!(turns[1].begin_ms, Some(7000));
    }

    #[test]
    fn positions_count_utf16_units_for_tools_that_do() {
        // "😀" is one char and two UTF-16 units: char 2 is unit 3.
        let text = "a😀bc";
        assert_eq!(unit_positions(text, [2, 0, 4].into_iter(), true), [3, 0, 5]);
        assert_eq!(unit_positions(text, [2].into_iter(), false), [2]);
    }
}
