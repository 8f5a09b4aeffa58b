//! Counting: per group and credential, how many postings ask for it and how strongly.
//!
//! Counting happens in two steps. While postings stream past, a `Tally` adds them up in
//! memory that grows with the number of groups, credentials and companies, never with the
//! number of postings. At the end, polars turns the tally into the demand tables: shares,
//! Wilson 95% intervals, ranks within each group, overall figures, and their CSV form.
//! polars types stay inside this module.

use std::collections::{HashMap, HashSet};

use anyhow::Result;
use polars::prelude::*;

use crate::dictionary::Dictionary;
use crate::level::Level;

/// z for a two-sided 95% interval.
const Z: f64 = 1.959_963_984_540_054;

/// Counts for one (group, credential) cell, or one credential overall.
#[derive(Debug, Default, Clone)]
struct Cell {
    postings: u64,
    required: u64,
    preferred: u64,
    mentioned: u64,
    companies: HashSet<u32>,
    groups: HashSet<u32>,
}

#[derive(Debug, Default, Clone)]
struct Group {
    postings: u64,
    with_credentials: u64,
    mentions: u64,
    companies: HashSet<u32>,
}

/// The running totals of a scan.
#[derive(Debug, Default)]
pub struct Tally {
    group_names: Vec<String>,
    group_index: HashMap<String, u32>,
    company_index: HashMap<String, u32>,
    groups: Vec<Group>,
    cells: HashMap<(u32, u32), Cell>,
    overall: HashMap<u32, Cell>,
    postings: u64,
    with_credentials: u64,
}

impl Tally {
    /// Adds one posting: its group, company, number of mentions, and its strongest level
    /// for each credential it mentions.
    pub fn add(
        &mut self,
        group: &str,
        company: Option<&str>,
        mentions: usize,
        levels: &[(usize, Level)],
    ) {
        let g = match self.group_index.get(group) {
            Some(&g) => g,
            None => {
                let g = self.group_names.len() as u32;
                self.group_names.push(group.to_string());
                self.group_index.insert(group.to_string(), g);
                self.groups.push(Group::default());
                g
            }
        };
        let company = company.map(str::trim).filter(|c| !c.is_empty()).map(|c| {
            let next = self.company_index.len() as u32;
            *self.company_index.entry(c.to_lowercase()).or_insert(next)
        });
        self.postings += 1;
        let grp = &mut self.groups[g as usize];
        grp.postings += 1;
        grp.mentions += mentions as u64;
        if !levels.is_empty() {
            grp.with_credentials += 1;
            self.with_credentials += 1;
        }
        if let Some(c) = company {
            grp.companies.insert(c);
        }
        for &(cred, level) in levels {
            for cell in [
                self.cells.entry((g, cred as u32)).or_default(),
                self.overall.entry(cred as u32).or_default(),
            ] {
                cell.postings += 1;
                match level {
                    Level::Required => cell.required += 1,
                    Level::Preferred => cell.preferred += 1,
                    Level::Mentioned => cell.mentioned += 1,
                }
                if let Some(c) = company {
                    cell.companies.insert(c);
                }
                cell.groups.insert(g);
            }
        }
    }

    pub fn postings_with_credentials(&self) -> u64 {
        self.with_credentials
    }

    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    pub fn credentials_seen(&self) -> usize {
        self.overall.len()
    }
}

/// One row of the terminal's top table.
#[derive(Debug, Clone, PartialEq)]
pub struct TopRow {
    pub credential: String,
    pub postings: u64,
    pub share: f64,
    pub share_low: f64,
    pub share_high: f64,
    pub required: u64,
    pub preferred: u64,
    pub mentioned: u64,
}

/// A group and its most-asked-for credentials.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupTop {
    pub group: String,
    pub postings: u64,
    pub top: Vec<TopRow>,
}

/// The demand tables, as CSV bytes, and what the terminal shows.
pub struct Demand {
    pub demand_csv: Vec<u8>,
    pub credentials_csv: Vec<u8>,
    pub groups_csv: Vec<u8>,
    /// Groups, largest first, each with its top credentials.
    pub top_groups: Vec<GroupTop>,
    /// Credentials overall, most postings first.
    pub top_overall: Vec<TopRow>,
}

/// Share and Wilson score interval columns from `postings` over `total` columns.
fn with_share(lf: LazyFrame, total: &str) -> LazyFrame {
    let x = col("postings").cast(DataType::Float64);
    let n = col(total).cast(DataType::Float64);
    let p = x / n.clone();
    let z2 = lit(Z * Z);
    let denom = lit(1.0) + z2.clone() / n.clone();
    let center = (p.clone() + z2.clone() / (lit(2.0) * n.clone())) / denom.clone();
    let half = lit(Z)
        * (p.clone() * (lit(1.0) - p.clone()) / n.clone() + z2 / (lit(4.0) * n.clone() * n)).sqrt()
        / denom;
    lf.with_columns([
        p.round(4, RoundMode::HalfAwayFromZero).alias("share"),
        (center.clone() - half.clone())
            .round(4, RoundMode::HalfAwayFromZero)
            .alias("share_low"),
        (center + half)
            .round(4, RoundMode::HalfAwayFromZero)
            .alias("share_high"),
    ])
}

fn rank_desc() -> RankOptions {
    RankOptions {
        method: RankMethod::Min,
        descending: true,
    }
}

/// polars errors with what was being done.
fn ctx<T>(r: PolarsResult<T>, what: &str) -> Result<T> {
    r.map_err(|e| anyhow::anyhow!("{what}: {e}"))
}

fn csv_bytes(df: &mut DataFrame) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    ctx(
        CsvWriter::new(&mut buf).include_header(true).finish(df),
        "writing CSV",
    )?;
    Ok(buf)
}

fn u64s(df: &DataFrame, name: &str) -> Result<Vec<u64>> {
    let col = df.column(name)?.cast(&DataType::UInt64)?;
    let ca = col.u64()?;
    Ok((0..ca.len()).map(|i| ca.get(i).unwrap_or(0)).collect())
}

fn f64s(df: &DataFrame, name: &str) -> Result<Vec<f64>> {
    let ca = df.column(name)?.f64()?;
    Ok((0..ca.len()).map(|i| ca.get(i).unwrap_or(0.0)).collect())
}

fn strs(df: &DataFrame, name: &str) -> Result<Vec<String>> {
    let ca = df.column(name)?.str()?;
    Ok((0..ca.len())
        .map(|i| ca.get(i).unwrap_or("").to_string())
        .collect())
}

fn top_rows(df: &DataFrame) -> Result<Vec<TopRow>> {
    let (names, postings, share, low, high) = (
        strs(df, "credential")?,
        u64s(df, "postings")?,
        f64s(df, "share")?,
        f64s(df, "share_low")?,
        f64s(df, "share_high")?,
    );
    let (req, pref, ment) = (
        u64s(df, "required")?,
        u64s(df, "preferred")?,
        u64s(df, "mentioned")?,
    );
    Ok((0..df.height())
        .map(|i| TopRow {
            credential: names[i].clone(),
            postings: postings[i],
            share: share[i],
            share_low: low[i],
            share_high: high[i],
            required: req[i],
            preferred: pref[i],
            mentioned: ment[i],
        })
        .collect())
}

/// Builds the demand tables. `top` credentials are kept per group for the terminal.
pub fn summarise(tally: &Tally, dict: &Dictionary, top: usize) -> Result<Demand> {
    let cred = |i: u32| &dict.credentials[i as usize];

    // demand.csv: one row per (group, credential) cell.
    let mut cells: Vec<(&(u32, u32), &Cell)> = tally.cells.iter().collect();
    cells.sort_by_key(|(k, _)| **k);
    let group_of = |g: u32| tally.group_names[g as usize].clone();
    let mut demand = df!(
        "group" => cells.iter().map(|((g, _), _)| group_of(*g)).collect::<Vec<_>>(),
        "credential_id" => cells.iter().map(|((_, c), _)| cred(*c).id.clone()).collect::<Vec<_>>(),
        "credential" => cells.iter().map(|((_, c), _)| cred(*c).name.clone()).collect::<Vec<_>>(),
        "issuer" => cells.iter().map(|((_, c), _)| cred(*c).issuer.clone()).collect::<Vec<_>>(),
        "kind" => cells.iter().map(|((_, c), _)| cred(*c).kind.as_str().to_string()).collect::<Vec<_>>(),
        "postings" => cells.iter().map(|(_, c)| c.postings).collect::<Vec<_>>(),
        "group_postings" => cells.iter().map(|((g, _), _)| tally.groups[*g as usize].postings).collect::<Vec<_>>(),
        "required" => cells.iter().map(|(_, c)| c.required).collect::<Vec<_>>(),
        "preferred" => cells.iter().map(|(_, c)| c.preferred).collect::<Vec<_>>(),
        "mentioned" => cells.iter().map(|(_, c)| c.mentioned).collect::<Vec<_>>(),
        "companies" => cells.iter().map(|(_, c)| c.companies.len() as u64).collect::<Vec<_>>(),
    )?;
    let rank_in_group = col("postings")
        .rank(rank_desc(), None)
        .over([col("group")])?;
    demand = ctx(
        with_share(demand.lazy(), "group_postings")
            .with_column(rank_in_group.alias("rank"))
            .sort_by_exprs(
                [
                    col("group_postings"),
                    col("group"),
                    col("rank"),
                    col("credential_id"),
                ],
                SortMultipleOptions::default()
                    .with_order_descending_multi([true, false, false, false]),
            )
            .select([
                col("group"),
                col("credential_id"),
                col("credential"),
                col("issuer"),
                col("kind"),
                col("postings"),
                col("group_postings"),
                col("share"),
                col("share_low"),
                col("share_high"),
                col("required"),
                col("preferred"),
                col("mentioned"),
                col("companies"),
                col("rank"),
            ])
            .collect(),
        "computing demand per group",
    )?;

    // credentials.csv: every credential of the dictionary, overall.
    let all: Vec<u32> = (0..dict.credentials.len() as u32).collect();
    let empty = Cell::default();
    let overall = |i: &u32| tally.overall.get(i).unwrap_or(&empty);
    let mut credentials = df!(
        "credential_id" => all.iter().map(|&c| cred(c).id.clone()).collect::<Vec<_>>(),
        "credential" => all.iter().map(|&c| cred(c).name.clone()).collect::<Vec<_>>(),
        "issuer" => all.iter().map(|&c| cred(c).issuer.clone()).collect::<Vec<_>>(),
        "kind" => all.iter().map(|&c| cred(c).kind.as_str().to_string()).collect::<Vec<_>>(),
        "category" => all.iter().map(|&c| cred(c).category.clone()).collect::<Vec<_>>(),
        "family" => all.iter().map(|&c| cred(c).family.clone()).collect::<Vec<Option<String>>>(),
        "url" => all.iter().map(|&c| cred(c).url.clone()).collect::<Vec<Option<String>>>(),
        "postings" => all.iter().map(|c| overall(c).postings).collect::<Vec<_>>(),
        "total_postings" => all.iter().map(|_| tally.postings).collect::<Vec<_>>(),
        "required" => all.iter().map(|c| overall(c).required).collect::<Vec<_>>(),
        "preferred" => all.iter().map(|c| overall(c).preferred).collect::<Vec<_>>(),
        "mentioned" => all.iter().map(|c| overall(c).mentioned).collect::<Vec<_>>(),
        "companies" => all.iter().map(|c| overall(c).companies.len() as u64).collect::<Vec<_>>(),
        "groups" => all.iter().map(|c| overall(c).groups.len() as u64).collect::<Vec<_>>(),
    )?;
    credentials = ctx(
        with_share(credentials.lazy(), "total_postings")
            .with_column(col("postings").rank(rank_desc(), None).alias("rank"))
            .sort_by_exprs(
                [col("postings"), col("credential_id")],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            )
            .select([
                col("credential_id"),
                col("credential"),
                col("issuer"),
                col("kind"),
                col("category"),
                col("family"),
                col("postings"),
                col("total_postings"),
                col("share"),
                col("share_low"),
                col("share_high"),
                col("required"),
                col("preferred"),
                col("mentioned"),
                col("companies"),
                col("groups"),
                col("rank"),
                col("url"),
            ])
            .collect(),
        "computing overall demand",
    )?;

    // groups.csv: totals per group.
    let gi: Vec<usize> = (0..tally.groups.len()).collect();
    let mut top_of_group: HashMap<u32, (u64, u32)> = HashMap::new();
    for ((g, c), cell) in &tally.cells {
        let e = top_of_group.entry(*g).or_insert((0, u32::MAX));
        if (cell.postings, std::cmp::Reverse(*c)) > (e.0, std::cmp::Reverse(e.1)) {
            *e = (cell.postings, *c);
        }
    }
    let distinct: HashMap<u32, u64> = tally.cells.keys().fold(HashMap::new(), |mut m, (g, _)| {
        *m.entry(*g).or_insert(0) += 1;
        m
    });
    let mut groups = df!(
        "group" => gi.iter().map(|&g| tally.group_names[g].clone()).collect::<Vec<_>>(),
        "postings" => gi.iter().map(|&g| tally.groups[g].postings).collect::<Vec<_>>(),
        "postings_with_credentials" => gi.iter().map(|&g| tally.groups[g].with_credentials).collect::<Vec<_>>(),
        "mentions" => gi.iter().map(|&g| tally.groups[g].mentions).collect::<Vec<_>>(),
        "credentials" => gi.iter().map(|&g| distinct.get(&(g as u32)).copied().unwrap_or(0)).collect::<Vec<_>>(),
        "companies" => gi.iter().map(|&g| tally.groups[g].companies.len() as u64).collect::<Vec<_>>(),
        "top_credential" => gi.iter().map(|&g| top_of_group.get(&(g as u32)).map(|(_, c)| cred(*c).name.clone()).unwrap_or_default()).collect::<Vec<_>>(),
    )?;
    groups = ctx(
        groups
            .lazy()
            .with_column(
                (col("postings_with_credentials").cast(DataType::Float64)
                    / col("postings").cast(DataType::Float64))
                .round(4, RoundMode::HalfAwayFromZero)
                .alias("share_with_credentials"),
            )
            .sort_by_exprs(
                [col("postings"), col("group")],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            )
            .select([
                col("group"),
                col("postings"),
                col("postings_with_credentials"),
                col("share_with_credentials"),
                col("mentions"),
                col("credentials"),
                col("companies"),
                col("top_credential"),
            ])
            .collect(),
        "computing group totals",
    )?;

    // What the terminal shows: per group (largest first), its top credentials.
    let top_demand = demand
        .clone()
        .lazy()
        .filter(col("rank").lt_eq(lit(top as u32)))
        .collect()?;
    let group_names = strs(&groups, "group")?;
    let group_postings = u64s(&groups, "postings")?;
    let demand_groups = strs(&top_demand, "group")?;
    let mut top_groups = Vec::new();
    for (name, postings) in group_names.iter().zip(group_postings) {
        let idx: Vec<IdxSize> = demand_groups
            .iter()
            .enumerate()
            .filter(|(_, g)| *g == name)
            .map(|(i, _)| i as IdxSize)
            .take(top)
            .collect();
        let rows = top_demand.take(&IdxCa::from_vec("i".into(), idx))?;
        top_groups.push(GroupTop {
            group: name.clone(),
            postings,
            top: top_rows(&rows)?,
        });
    }
    let top_overall = top_rows(
        &credentials
            .filter(
                &credentials
                    .column("postings")?
                    .as_materialized_series()
                    .gt(0)?,
            )?
            .head(Some(top * 2)),
    )?;

    Ok(Demand {
        demand_csv: csv_bytes(&mut demand)?,
        credentials_csv: csv_bytes(&mut credentials)?,
        groups_csv: csv_bytes(&mut groups)?,
        top_groups,
        top_overall,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict() -> Dictionary {
        let text = ["a", "b"]
            .iter()
            .map(|id| {
                format!(
                    "[[credential]]\nid = \"{id}\"\nname = \"Cred {id}\"\nissuer = \"I\"\nkind = \"licence\"\ncategory = \"hr\"\naliases = [\"{id}x\"]\n"
                )
            })
            .collect::<String>();
        Dictionary::from_layers(vec![vec![("t".into(), text)]]).unwrap()
    }

    #[test]
    fn wilson_interval_matches_the_formula() {
        // 3 of 10: Wilson 95% is [0.1078, 0.6032].
        let mut t = Tally::default();
        for i in 0..10 {
            let levels = if i < 3 {
                vec![(0, Level::Required)]
            } else {
                vec![]
            };
            t.add("g", Some("Co"), levels.len(), &levels);
        }
        let d = summarise(&t, &dict(), 5).unwrap();
        let csv = String::from_utf8(d.demand_csv).unwrap();
        assert_eq!(
            csv,
            "group,credential_id,credential,issuer,kind,postings,group_postings,share,share_low,share_high,required,preferred,mentioned,companies,rank\n\
             g,a,Cred a,I,licence,3,10,0.3,0.1078,0.6032,3,0,0,1,1\n"
        );
    }

    #[test]
    fn ranks_within_groups_and_counts_levels_and_companies() {
        let mut t = Tally::default();
        t.add(
            "nurse",
            Some("A"),
            2,
            &[(0, Level::Required), (1, Level::Preferred)],
        );
        t.add("nurse", Some("B"), 1, &[(0, Level::Mentioned)]);
        t.add("nurse", Some("a"), 0, &[]);
        t.add("clerk", None, 1, &[(1, Level::Required)]);
        let d = summarise(&t, &dict(), 5).unwrap();
        let csv = String::from_utf8(d.demand_csv).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[1],
            "nurse,a,Cred a,I,licence,2,3,0.6667,0.2077,0.9385,1,0,1,2,1"
        );
        assert_eq!(
            lines[2],
            "nurse,b,Cred b,I,licence,1,3,0.3333,0.0615,0.7923,0,1,0,1,2"
        );
        assert_eq!(
            lines[3],
            "clerk,b,Cred b,I,licence,1,1,1.0,0.2065,1.0,1,0,0,0,1"
        );
        let groups = String::from_utf8(d.groups_csv).unwrap();
        assert!(groups.contains("nurse,3,2,0.6667,3,2,2,Cred a"), "{groups}");
        let creds = String::from_utf8(d.credentials_csv).unwrap();
        assert!(creds.contains("a,Cred a,I,licence,hr,,2,4,0.5,"), "{creds}");
        assert_eq!(d.top_groups[0].group, "nurse");
        assert_eq!(d.top_groups[0].top.len(), 2);
        assert_eq!(d.top_overall.len(), 2);
    }
}
