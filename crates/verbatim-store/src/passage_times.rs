//! When a coded passage is heard in the recording.
//!
//! A passage of a timed transcript lies in turns that know when they start
//! (and sometimes when they end), so it has a time range: from the start of
//! the first turn it overlaps to the end of the last one, where the end of
//! a turn is its own end time, else the start of the next timed turn. A
//! passage in an untimed turn has no range (`None`), and one in the last
//! turn without an end time has a start only. `coding list`, the segment
//! exports and the member-checking document read the range here, so the
//! rule has one home.

use crate::{SqliteStore, StoreError};

/// A turn's speech span and its times, as the range rule needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedTurn {
    /// First char of the speech.
    pub start: i64,
    /// Char just past the speech.
    pub end: i64,
    /// When it starts in the recording.
    pub begin_ms: Option<i64>,
    /// When it ends in the recording.
    pub end_ms: Option<i64>,
}

/// Returns when the passage `[start, end)` begins and ends in the
/// recording, from the turns of its source in text order (see the module
/// docs); `(None, None)` when the turns it overlaps are untimed.
pub fn time_range(turns: &[TimedTurn], start: i64, end: i64) -> (Option<i64>, Option<i64>) {
    let overlaps = |t: &TimedTurn| t.start < end && start < t.end;
    let Some(first) = turns.iter().position(overlaps) else {
        return (None, None);
    };
    let last = turns.iter().rposition(overlaps).unwrap_or(first);
    let Some(begin) = turns[first].begin_ms else {
        return (None, None);
    };
    let finish = turns[last].end_ms.or_else(|| {
        turns[last + 1..]
            .iter()
            .find_map(|t| t.begin_ms)
            .filter(|&next| next >= begin)
    });
    (Some(begin), finish)
}

/// Returns milliseconds as `h:mm:ss` (or `m:ss` under an hour), the way
/// the reader and the documents show times.
pub fn clock(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// Returns a range as `0:01–0:04`, or `0:01` when the end is unknown.
pub fn clock_range(begin: i64, end: Option<i64>) -> String {
    match end {
        Some(end) if end > begin => format!("{}–{}", clock(begin), clock(end)),
        _ => clock(begin),
    }
}

impl SqliteStore {
    /// Returns a source's turns with their times, in text order.
    pub fn timed_turns(&self, source: i64) -> Result<Vec<TimedTurn>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT start_char, end_char, begin_ms, end_ms FROM turns \
             WHERE source_id = $1 ORDER BY start_char, ordinal",
        )?;
        let rows = stmt.query_map([source], |r| {
            Ok(TimedTurn {
                start: r.get(0)?,
                end: r.get(1)?,
                begin_ms: r.get(2)?,
                end_ms: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(start: i64, end: i64, begin: Option<i64>, finish: Option<i64>) -> TimedTurn {
        TimedTurn {
            start,
            end,
            begin_ms: begin,
            end_ms: finish,
        }
    }

    #[test]
    fn a_passage_spans_the_times_of_the_turns_it_overlaps() {
        // Three turns: [6, 28) at 1.2 s to 4.2 s, [34, 48) from 4.2 s with
        // no end, [55, 70) at 9 s.
        let turns = [
            turn(6, 28, Some(1200), Some(4200)),
            turn(34, 48, Some(4200), None),
            turn(55, 70, Some(9000), None),
        ];
        // Inside the first turn: its own start and end.
        assert_eq!(time_range(&turns, 10, 20), (Some(1200), Some(4200)));
        // Over the first two: 1.2 s to the second's end, which is the
        // third's start (9 s).
        assert_eq!(time_range(&turns, 20, 40), (Some(1200), Some(9000)));
        // In the last turn, with no end and no turn after: a start only.
        assert_eq!(time_range(&turns, 60, 65), (Some(9000), None));
        // Between turns (a label line): no time.
        assert_eq!(time_range(&turns, 29, 33), (None, None));
        // Untimed turns: no time.
        let untimed = [turn(0, 10, None, None)];
        assert_eq!(time_range(&untimed, 2, 5), (None, None));
    }

    #[test]
    fn times_read_as_clock_times() {
        assert_eq!(clock(1200), "0:01");
        // 1 h 2 min 3 s = 3,723,000 ms.
        assert_eq!(clock(3_723_000), "1:02:03");
        assert_eq!(clock_range(1200, Some(4200)), "0:01–0:04");
        assert_eq!(clock_range(9000, None), "0:09");
    }
}
