//! `verbatim agreement --domain NAME=CODE,CODE…`: ATLAS.ti's cu-α within
//! each semantic domain and Cu-α across domains.
//!
//! A semantic domain is a group of codes a coder must choose between: the
//! codes of a domain exclude each other on any stretch of text. Studies in
//! verbatim have no separate notion of domain, so the user names them on
//! the command line (a theme and its sub-themes, usually).

use std::collections::HashMap;

use anyhow::bail;
use serde::Serialize;
use verbatim_analysis::agreement::Passage;
use verbatim_analysis::domain_alpha::{Coincidences, ValueAlpha, ValuedSegment, first_clash};
use verbatim_store::agreement_data::AgreementData;

/// One `--domain NAME=CODE,CODE…` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    /// The domain's name.
    pub name: String,
    /// Its codes, by name.
    pub codes: Vec<String>,
}

/// Parses `NAME=CODE,CODE…`.
pub fn parse_domain(arg: &str) -> Result<Domain, String> {
    let Some((name, codes)) = arg.split_once('=') else {
        return Err(format!(
            "`{arg}` is not a domain: write NAME=CODE,CODE… (for example \"Relation=Trust,Control\")"
        ));
    };
    let codes: Vec<String> = codes
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    if name.trim().is_empty() || codes.len() < 2 {
        return Err(format!(
            "`{arg}` needs a name and at least two codes: NAME=CODE,CODE…"
        ));
    }
    Ok(Domain {
        name: name.trim().to_owned(),
        codes,
    })
}

/// cu-α of one domain.
#[derive(Debug, Serialize)]
pub struct DomainAlpha {
    /// The domain.
    pub domain: String,
    /// Its codes.
    pub codes: Vec<String>,
    /// cu-α: agreement on which of the domain's codes, where coders both coded.
    pub cu_alpha: ValueAlpha,
}

/// cu-α per domain and Cu-α across them.
#[derive(Debug, Serialize)]
pub struct Domains {
    /// Per domain.
    pub within: Vec<DomainAlpha>,
    /// Cu-α: agreement on the domain, where coders both coded; with one
    /// domain there is nothing to choose between and it is absent.
    pub across: Option<ValueAlpha>,
}

/// Computes cu-α and Cu-α for the domains asked, or explains why not.
pub fn domain_alphas(
    domains: &[Domain],
    data: &AgreementData,
    passages: &[Passage],
) -> anyhow::Result<Domains> {
    // code index → (domain index, value index within the domain)
    let mut place: HashMap<usize, (usize, usize)> = HashMap::new();
    for (d, domain) in domains.iter().enumerate() {
        for (v, code) in domain.codes.iter().enumerate() {
            let Some(index) = data.codes.iter().position(|c| c == code) else {
                bail!(
                    "domain {}: no shared code is named «{code}»; the codes all compared coders share are: {}",
                    domain.name,
                    data.codes.join(", ")
                );
            };
            if let Some((other, _)) = place.insert(index, (d, v)) {
                bail!(
                    "the code «{code}» is in two domains ({} and {}); a code belongs to one domain",
                    domains[other].name,
                    domain.name
                );
            }
        }
    }
    let coders = data.coders.len();
    let sources = data.sources.len();
    // [source][coder] → segments, once per domain and once across domains.
    let mut within: Vec<Vec<Vec<Vec<ValuedSegment>>>> =
        vec![vec![vec![Vec::new(); coders]; sources]; domains.len()];
    let mut across: Vec<Vec<Vec<ValuedSegment>>> = vec![vec![Vec::new(); coders]; sources];
    for p in passages {
        let Some(&(d, v)) = place.get(&p.code) else {
            continue;
        };
        if p.source >= sources || p.coder >= coders {
            continue;
        }
        within[d][p.source][p.coder].push(ValuedSegment {
            start: p.start,
            end: p.end,
            value: v,
        });
        across[p.source][p.coder].push(ValuedSegment {
            start: p.start,
            end: p.end,
            value: d,
        });
    }
    let mut out = Vec::with_capacity(domains.len());
    for (d, domain) in domains.iter().enumerate() {
        let mut table = Coincidences::new(domain.codes.len());
        for (s, per_coder) in within[d].iter_mut().enumerate() {
            for (c, segments) in per_coder.iter_mut().enumerate() {
                merge_same_value(segments);
                if let Some((a, b)) = first_clash(segments) {
                    bail!(
                        "{} coded «{}» and «{}» of domain {} on the same words of {} (chars {}–{}); \
                         cu-α needs the codes of a domain to exclude each other: recode one, or leave one out of --domain",
                        data.coders[c].name,
                        domain.codes[a.value],
                        domain.codes[b.value],
                        domain.name,
                        data.sources[s].name,
                        b.start,
                        a.end.min(b.end)
                    );
                }
            }
            table.add(per_coder);
        }
        out.push(DomainAlpha {
            domain: domain.name.clone(),
            codes: domain.codes.clone(),
            cu_alpha: table.alpha(),
        });
    }
    let across = (domains.len() >= 2).then(|| {
        let mut table = Coincidences::new(domains.len());
        for per_coder in &mut across {
            for segments in per_coder.iter_mut() {
                merge_same_value(segments);
            }
            table.add(per_coder);
        }
        table.alpha()
    });
    Ok(Domains {
        within: out,
        across,
    })
}

/// Merges one coder's overlapping segments of the same value: coding the
/// same words twice with one code marks them once.
fn merge_same_value(segments: &mut Vec<ValuedSegment>) {
    segments.sort_unstable_by_key(|g| (g.value, g.start, g.end));
    let mut merged: Vec<ValuedSegment> = Vec::with_capacity(segments.len());
    for g in segments.drain(..) {
        match merged.last_mut() {
            Some(last) if last.value == g.value && g.start <= last.end => {
                last.end = last.end.max(g.end);
            }
            _ => merged.push(g),
        }
    }
    merged.sort_unstable();
    *segments = merged;
}
