//! The tantivy index beside a study, kept in step with it incrementally.
//!
//! The study is the source of truth; the index (`STUDY.vbt.index/` beside
//! a file, a [`cache_dir`] folder for a study on a server) is derived and
//! can be deleted at any time. A `manifest.json` records, for
//! each indexed source, a fingerprint of what the index holds (content
//! hash, kind, site, language, turn count). [`Index::sync`] compares it
//! with the study and re-indexes only sources added, changed or removed,
//! so calling it before every search and after every import costs one
//! query of the study when nothing changed. The text itself is not stored
//! in the index: hits are re-cut from the study's text.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, Count, SegmentCollector};
use tantivy::query::{BooleanQuery, Occur, Query as TQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{
    DocId, Index as TIndex, IndexReader, ReloadPolicy, SegmentReader, TantivyDocument, Term,
};
use verbatim_store::{ChangeMark, SourceSummary, Transcripts};

use crate::analysis::{EXACT, STEM_EN, STEM_FR, Stemming, exact_analyzer, stem_analyzer};
use crate::error::{Result, SearchError};
use crate::query::{Fields, Query};
use crate::segments::segments;

/// Bumped whenever the schema or the analyzers change: an index of another
/// format is rebuilt.
const FORMAT: u32 = 2;
const MANIFEST: &str = "manifest.json";

#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    sources: BTreeMap<i64, String>,
    /// The study it was last compared with (its creation time) and where
    /// the study's audit log stood then: equal marks mean nothing changed.
    #[serde(default)]
    study: String,
    #[serde(flatten)]
    mark: ChangeMark,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Sources indexed for the first time.
    pub added: usize,
    /// Sources re-indexed because they changed.
    pub changed: usize,
    /// Sources dropped from the index.
    pub removed: usize,
    /// Sources already up to date.
    pub unchanged: usize,
    /// True when the index was built from scratch.
    pub rebuilt: bool,
}

impl SyncReport {
    /// Returns true when the sync changed the index.
    pub fn changed_anything(&self) -> bool {
        self.added + self.changed + self.removed > 0
    }
}

/// The schema's fields.
#[derive(Debug, Clone, Copy)]
struct Schemaf {
    source: Field,
    start: Field,
    end: Field,
    kind: Field,
    site: Field,
    language: Field,
    english: Field,
    speaker: Field,
    exact: Field,
    stem_fr: Field,
    stem_en: Field,
}

fn schema() -> (Schema, Schemaf) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let f = Schemaf {
        source: b.add_u64_field("source_id", INDEXED | FAST),
        start: b.add_u64_field("start", FAST),
        end: b.add_u64_field("end", FAST),
        kind: b.add_text_field("kind", STRING),
        site: b.add_text_field("site", STRING),
        language: b.add_text_field("language", STRING),
        english: b.add_u64_field("english", FAST),
        speaker: b.add_text_field("speaker", STRING | FAST),
        exact: b.add_text_field("exact", text(EXACT)),
        stem_fr: b.add_text_field("stem_fr", text(STEM_FR)),
        stem_en: b.add_text_field("stem_en", text(STEM_EN)),
    };
    (b.build(), f)
}

/// A segment the index found: its source and char range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Candidate {
    /// The source's id.
    pub source: i64,
    /// First char of the segment.
    pub start: usize,
    /// Char just past it.
    pub end: usize,
}

/// A segment the index found, with what the index knows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Where it is.
    pub candidate: Candidate,
    /// Its speaker label (`None` for text outside turns, or when not
    /// asked for).
    pub speaker: Option<String>,
    /// Its source's stemmer.
    pub stemming: Stemming,
    /// How many hits of the query it holds, counted from the index's
    /// word positions (0 when only the text could tell, which
    /// [`crate::search_page`] never asks of it).
    pub hits: usize,
}

/// Restrictions the index applies itself.
#[derive(Debug, Clone, Default)]
pub struct IndexFilter {
    /// Only these kinds (store spelling, e.g. `focus_group`).
    pub kinds: Vec<String>,
    /// Only these sites.
    pub sites: Vec<String>,
    /// Only turns with these speaker labels.
    pub speakers: Vec<String>,
    /// Leave out context-only sources.
    pub exclude_context: bool,
}

/// The full-text index of one study.
pub struct Index {
    dir: PathBuf,
    index: TIndex,
    reader: IndexReader,
    fields: Schemaf,
    manifest: Manifest,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index").field("dir", &self.dir).finish()
    }
}

/// Returns the index folder of a study: `STUDY.vbt.index` beside it.
pub fn index_dir(study: &Path) -> PathBuf {
    let mut name = study.file_name().unwrap_or_default().to_os_string();
    name.push(".index");
    study.with_file_name(name)
}

/// Returns the index folder of a study kept on a server: a folder under
/// `cache_root` (the user's cache, e.g. `$XDG_CACHE_HOME/verbatim/index`)
/// named by a SHA-256 digest of `identity` (the study's address without
/// its password), so each study gets its own and no address shows in a
/// file name.
pub fn cache_dir(cache_root: &Path, identity: &str) -> PathBuf {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(identity.as_bytes());
    let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    cache_root.join(name)
}

/// Creates the index folder readable by its owner only (0700 on Unix):
/// the index holds every word of the transcripts, as sensitive as the
/// study itself.
fn create_owner_only_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SearchError + '_ {
    move |source| SearchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Index {
    /// Opens the index beside the study, creating it (empty) when missing
    /// or of another format. Call [`Index::sync`] to bring it up to date.
    pub fn open(study: &Path) -> Result<Self> {
        Self::open_dir(index_dir(study))
    }

    /// Opens the index kept in `dir` (a study file's [`index_dir`], or a
    /// server study's [`cache_dir`]), creating it as [`Index::open`] does.
    pub fn open_dir(dir: PathBuf) -> Result<Self> {
        let manifest: Option<Manifest> = std::fs::read(dir.join(MANIFEST))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .filter(|m: &Manifest| m.format == FORMAT);
        let (schema, fields) = schema();
        let opened = match &manifest {
            Some(_) => TIndex::open_in_dir(&dir)
                .ok()
                .filter(|i| i.schema() == schema),
            None => None,
        };
        let (index, manifest) = match (opened, manifest) {
            (Some(index), Some(manifest)) => (index, manifest),
            _ => {
                if dir.exists() {
                    std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
                }
                create_owner_only_dir(&dir).map_err(io(&dir))?;
                let index = TIndex::create_in_dir(&dir, schema)?;
                (
                    index,
                    Manifest {
                        format: FORMAT,
                        ..Manifest::default()
                    },
                )
            }
        };
        let tokenizers = index.tokenizers();
        tokenizers.register(EXACT, exact_analyzer());
        tokenizers.register(STEM_FR, stem_analyzer(Stemming::French));
        tokenizers.register(STEM_EN, stem_analyzer(Stemming::English));
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            dir,
            index,
            reader,
            fields,
            manifest,
        })
    }

    /// Returns the index folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Brings the index in step with the study: indexes new and changed
    /// sources, drops removed ones. Cheap when nothing changed: one read
    /// of the study's change counter when no one wrote since the last
    /// sync, and one look at the new audit entries when the writes since
    /// touched no source (codings, memos); only otherwise is every
    /// source's fingerprint compared.
    pub fn sync(&mut self, store: &dyn Transcripts) -> Result<SyncReport> {
        self.sync_with(store, &mut |_, _| {})
    }

    /// [`Index::sync`], calling `progress(done, total)` as sources are
    /// indexed (for a progress bar on the first build).
    pub fn sync_with(
        &mut self,
        store: &dyn Transcripts,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<SyncReport> {
        let mark = store.change_mark()?;
        let study = store.study()?.created_at;
        let same_study = self.manifest.study == study && mark.counter >= self.manifest.mark.counter;
        if same_study
            && (mark == self.manifest.mark || !store.sources_changed_since(&self.manifest.mark)?)
        {
            if mark != self.manifest.mark {
                self.manifest.mark = mark;
                self.write_manifest()?;
            }
            return Ok(SyncReport {
                unchanged: self.manifest.sources.len(),
                ..SyncReport::default()
            });
        }
        let report = self.compare(store, progress)?;
        self.manifest.study = study;
        self.manifest.mark = mark;
        self.write_manifest()?;
        Ok(report)
    }

    fn write_manifest(&self) -> Result<()> {
        let path = self.dir.join(MANIFEST);
        let tmp = self.dir.join("manifest.json.tmp");
        let bytes = serde_json::to_vec(&self.manifest)
            .map_err(|e| SearchError::Invalid(format!("could not write the manifest: {e}")))?;
        std::fs::write(&tmp, bytes).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(io(&path))?;
        Ok(())
    }

    /// Compares every source's fingerprint with the manifest and
    /// re-indexes those that differ.
    fn compare(
        &mut self,
        store: &dyn Transcripts,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<SyncReport> {
        let hashes = store.content_hashes()?;
        let study_lang = store.study()?.language;
        let mut wanted: BTreeMap<i64, (String, Stemming)> = BTreeMap::new();
        let summaries: HashMap<i64, SourceSummary> =
            store.sources()?.into_iter().map(|s| (s.id, s)).collect();
        for s in summaries.values() {
            let lang = s.language.clone().or_else(|| study_lang.clone());
            // Turns and speakers are in the print: a re-detection or a
            // renamed label changes the segments without changing the text.
            let print = format!(
                "{}|{}|{}|{}|{}|{}",
                hashes.get(&s.id).map_or("", String::as_str),
                s.kind,
                s.site.as_deref().unwrap_or(""),
                lang.as_deref().unwrap_or(""),
                s.turns,
                s.speakers.join("\u{1f}")
            );
            wanted.insert(s.id, (print, Stemming::for_language(lang.as_deref())));
        }
        let mut report = SyncReport {
            rebuilt: self.manifest.sources.is_empty() && !wanted.is_empty(),
            ..SyncReport::default()
        };
        let mut drop: Vec<i64> = Vec::new();
        let mut add: Vec<(i64, Stemming)> = Vec::new();
        for (id, print) in &self.manifest.sources {
            match wanted.get(id) {
                None => {
                    report.removed += 1;
                    drop.push(*id);
                }
                Some((p, s)) if p != print => {
                    report.changed += 1;
                    drop.push(*id);
                    add.push((*id, *s));
                }
                Some(_) => report.unchanged += 1,
            }
        }
        for (id, (_, s)) in &wanted {
            if !self.manifest.sources.contains_key(id) {
                report.added += 1;
                add.push((*id, *s));
            }
        }
        if !report.changed_anything() {
            return Ok(report);
        }
        let f = self.fields;
        let mut writer = self.index.writer::<TantivyDocument>(96_000_000)?;
        for id in &drop {
            writer.delete_term(Term::from_field_u64(f.source, *id as u64));
        }
        for (done, (id, stemming)) in add.iter().enumerate() {
            progress(done, add.len());
            let Some(summary) = summaries.get(id) else {
                continue;
            };
            let (text, table, turns) = store.text_and_turns(*id)?;
            let stem_field = match stemming {
                Stemming::French => f.stem_fr,
                Stemming::English => f.stem_en,
            };
            let lang = summary.language.clone().unwrap_or_default();
            for seg in segments(&text, &turns, &table) {
                let piece = &text[seg.byte_start..seg.byte_end];
                let mut doc = TantivyDocument::default();
                doc.add_u64(f.source, *id as u64);
                doc.add_u64(f.start, seg.start as u64);
                doc.add_u64(f.end, seg.end as u64);
                doc.add_text(f.kind, &summary.kind);
                doc.add_text(f.site, summary.site.as_deref().unwrap_or(""));
                doc.add_text(f.language, &lang);
                doc.add_u64(f.english, u64::from(*stemming == Stemming::English));
                doc.add_text(f.speaker, seg.speaker.as_deref().unwrap_or(""));
                doc.add_text(f.exact, piece);
                doc.add_text(stem_field, piece);
                writer.add_document(doc)?;
            }
        }
        progress(add.len(), add.len());
        writer.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        self.manifest.sources = wanted.into_iter().map(|(id, (p, _))| (id, p)).collect();
        Ok(report)
    }

    fn filtered(&self, query: &Query, filter: &IndexFilter) -> Box<dyn TQuery> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = vec![(
            Occur::Must,
            query.candidates(Fields {
                exact: f.exact,
                stem_fr: f.stem_fr,
                stem_en: f.stem_en,
            }),
        )];
        let any_of = |field: Field, values: &[String]| -> Box<dyn TQuery> {
            Box::new(BooleanQuery::new(
                values
                    .iter()
                    .map(|v| {
                        let q: Box<dyn TQuery> = Box::new(TermQuery::new(
                            Term::from_field_text(field, v),
                            IndexRecordOption::Basic,
                        ));
                        (Occur::Should, q)
                    })
                    .collect(),
            ))
        };
        for (field, values) in [
            (f.kind, &filter.kinds),
            (f.site, &filter.sites),
            (f.speaker, &filter.speakers),
        ] {
            if !values.is_empty() {
                clauses.push((Occur::Must, any_of(field, values)));
            }
        }
        if filter.exclude_context {
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.kind, "context"),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// Returns the segments that may match, by source then position.
    pub fn candidates(&self, query: &Query, filter: &IndexFilter) -> Result<Vec<Candidate>> {
        let searcher = self.reader.searcher();
        let matched = searcher.search(&*self.filtered(query, filter), &SegmentDocs)?;
        let mut out = Vec::new();
        for (ord, docs) in matched {
            let cols = Columns::of(searcher.segment_reader(ord))?;
            out.extend(docs.iter().filter_map(|d| cols.candidate(*d)));
        }
        out.sort_unstable();
        Ok(out)
    }

    /// Returns the segments that match, by source then position, each with
    /// its speaker (when `with_speakers`: a label is a look-up in the
    /// index's dictionary, which a search filtering by role needs and
    /// others do not), stemmer and hit count read from the index's word
    /// positions (see [`crate::postings`]): no text is read.
    pub fn found(
        &self,
        query: &Query,
        filter: &IndexFilter,
        with_speakers: bool,
    ) -> Result<Vec<Found>> {
        let searcher = self.reader.searcher();
        let matched = searcher.search(&*self.filtered(query, filter), &SegmentDocs)?;
        let f = self.fields;
        let fields = crate::postings::PostingFields {
            exact: f.exact,
            stem_fr: f.stem_fr,
            stem_en: f.stem_en,
        };
        let mut out = Vec::new();
        for (ord, docs) in matched {
            let reader = searcher.segment_reader(ord);
            let cols = Columns::of(reader)?;
            let stemming_of = |doc: DocId| cols.stemming(doc);
            let counts = crate::postings::count_hits(reader, fields, query, &docs, &stemming_of)?;
            // Every speaker label of this segment by its ordinal, read in
            // one pass over the dictionary: a look-up by ordinal decodes a
            // block of it each time.
            let labels = match &cols.speakers {
                Some(col) if with_speakers => segment_labels(col)?,
                _ => Vec::new(),
            };
            for (doc, hits) in docs.iter().zip(counts) {
                let Some(candidate) = cols.candidate(*doc) else {
                    continue;
                };
                let speaker = cols
                    .speakers
                    .as_ref()
                    .and_then(|col| col.term_ords(*doc).next())
                    .and_then(|o| labels.get(usize::try_from(o).ok()?))
                    .filter(|l| !l.is_empty())
                    .cloned();
                out.push(Found {
                    candidate,
                    speaker,
                    stemming: stemming_of(*doc),
                    hits,
                });
            }
        }
        out.sort_unstable_by_key(|f| f.candidate);
        Ok(out)
    }

    /// Returns how many segments may match (no KWIC work): the index's own
    /// cost, which the benchmark measures.
    pub fn count(&self, query: &Query, filter: &IndexFilter) -> Result<usize> {
        let searcher = self.reader.searcher();
        Ok(searcher.search(&*self.filtered(query, filter), &Count)?)
    }

    /// Returns how many segments the index holds.
    pub fn segments(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Rewrites the index's files without the documents it dropped and
    /// deletes the files no longer used. A sync only marks a changed
    /// source's old documents deleted, and their words stay in the files
    /// until a merge; after a participant's withdrawal their words must
    /// leave the folder, not only the answers.
    pub fn compact(&mut self) -> Result<()> {
        let mut writer = self.index.writer::<TantivyDocument>(96_000_000)?;
        let ids = self.index.searchable_segment_ids()?;
        if !ids.is_empty() {
            writer.merge(&ids).wait()?;
        }
        // The reader lets go of the old segments before they are collected.
        self.reader.reload()?;
        writer.garbage_collect_files().wait()?;
        writer.wait_merging_threads()?;
        Ok(())
    }
}

/// Collects the matching documents of each index segment, in doc order
/// (tantivy's `DocSetCollector` hashes every address, then they had to be
/// grouped and sorted again).
struct SegmentDocs;

/// [`SegmentDocs`] for one index segment.
struct SegmentDocsChild(u32, Vec<DocId>);

impl Collector for SegmentDocs {
    type Fruit = Vec<(u32, Vec<DocId>)>;
    type Child = SegmentDocsChild;

    fn for_segment(&self, ord: u32, _: &SegmentReader) -> tantivy::Result<SegmentDocsChild> {
        Ok(SegmentDocsChild(ord, Vec::new()))
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(u32, Vec<DocId>)>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits.into_iter().filter(|(_, d)| !d.is_empty()).collect())
    }
}

impl SegmentCollector for SegmentDocsChild {
    type Fruit = (u32, Vec<DocId>);

    fn collect(&mut self, doc: DocId, _: tantivy::Score) {
        self.1.push(doc);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.1.extend_from_slice(docs);
    }

    fn harvest(self) -> Self::Fruit {
        (self.0, self.1)
    }
}

/// Returns the labels of a speaker column, indexed by their ordinal.
fn segment_labels(col: &tantivy::columnar::StrColumn) -> Result<Vec<String>> {
    let mut stream = col
        .dictionary()
        .stream()
        .map_err(tantivy::TantivyError::from)?;
    let mut out = Vec::with_capacity(col.num_terms());
    while stream.advance() {
        out.push(String::from_utf8_lossy(stream.key()).into_owned());
    }
    Ok(out)
}

/// The fast fields a hit needs, opened once per index segment.
struct Columns {
    source: tantivy::columnar::Column<u64>,
    start: tantivy::columnar::Column<u64>,
    end: tantivy::columnar::Column<u64>,
    english: tantivy::columnar::Column<u64>,
    speakers: Option<tantivy::columnar::StrColumn>,
}

impl Columns {
    fn of(reader: &SegmentReader) -> Result<Self> {
        let ff = reader.fast_fields();
        Ok(Self {
            source: ff.u64("source_id")?,
            start: ff.u64("start")?,
            end: ff.u64("end")?,
            english: ff.u64("english")?,
            speakers: ff.str("speaker")?,
        })
    }

    fn candidate(&self, doc: DocId) -> Option<Candidate> {
        Some(Candidate {
            source: self.source.first(doc)? as i64,
            start: self.start.first(doc)? as usize,
            end: self.end.first(doc)? as usize,
        })
    }

    fn stemming(&self, doc: DocId) -> Stemming {
        match self.english.first(doc) {
            Some(1) => Stemming::English,
            _ => Stemming::French,
        }
    }
}
