//! End-to-end tests: the real binary on `samples/` and on temporary folders of bad input.

mod outputs;

use outputs::read_csv;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_credscan"))
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn scan(args: &[&str], out: &Path) -> Output {
    bin()
        .arg("scan")
        .args(args)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .output()
        .unwrap()
}

fn header(path: &Path) -> String {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string()
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap()
}

/// The credentials postings.csv lists for the posting whose source ends with `source`.
fn creds_of(postings: &[std::collections::HashMap<String, String>], source: &str) -> Vec<String> {
    let row = postings
        .iter()
        .find(|p| p["source"].ends_with(source))
        .unwrap_or_else(|| panic!("no posting from {source}"));
    row["credentials"]
        .split(';')
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// The level of the strongest mention of `cred` in the posting from `source`.
fn level_of(
    mentions: &[std::collections::HashMap<String, String>],
    source: &str,
    cred: &str,
) -> String {
    let order = ["mentioned", "preferred", "required"];
    mentions
        .iter()
        .filter(|m| m["source"].ends_with(source) && m["credential_id"] == cred)
        .map(|m| m["level"].clone())
        .max_by_key(|l| order.iter().position(|o| o == l))
        .unwrap_or_else(|| panic!("{cred} not mentioned in {source}"))
}

#[test]
fn scans_the_samples() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = scan(&[samples().to_str().unwrap()], &out);
    // The samples include broken files on purpose: they are skipped and the exit code says so.
    assert_eq!(
        o.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("truncated.json") && stderr.contains("malformed JSON"),
        "{stderr}"
    );

    assert_eq!(
        header(&out.join("postings.csv")),
        "posting_id,source,title,role,company,location,date_posted,credentials"
    );
    assert_eq!(
        header(&out.join("mentions.csv")),
        "posting_id,source,role,credential_id,credential,issuer,kind,category,matched_text,offset,level,snippet,retired"
    );
    assert_eq!(
        header(&out.join("demand.csv")),
        "group,credential_id,credential,issuer,kind,postings,group_postings,share,share_low,share_high,required,preferred,mentioned,companies,rank"
    );

    let postings = read_csv(&out.join("postings.csv"));
    let mentions = read_csv(&out.join("mentions.csv"));
    // Every posting of every format was read; the duplicate CSV row was not counted twice.
    assert_eq!(
        postings.len(),
        18,
        "{:#?}",
        postings.iter().map(|p| &p["source"]).collect::<Vec<_>>()
    );

    // CPA in a mental-health posting is the Care Programme Approach, not the licence.
    let nurse = creds_of(&postings, "mental-health-nurse.html");
    assert!(!nurse.contains(&"cpa".to_string()), "{nurse:?}");
    assert!(nurse.contains(&"nmc-registration".to_string()), "{nurse:?}");
    assert_eq!(
        level_of(&mentions, "mental-health-nurse.html", "nmc-registration"),
        "required"
    );
    assert_eq!(
        level_of(&mentions, "mental-health-nurse.html", "nmc-v300"),
        "preferred"
    );
    // ... and CPA in a marketing post is cost per acquisition.
    assert!(!creds_of(&postings, "postings.jsonl#2").contains(&"cpa".to_string()));
    // The accountant's CPA is required and the CMA preferred.
    assert_eq!(
        level_of(&mentions, "senior-accountant.json", "cpa"),
        "required"
    );
    assert_eq!(
        level_of(&mentions, "senior-accountant.json", "cma-us"),
        "preferred"
    );
    // Required versus preferred, from headings and from cue words.
    assert_eq!(
        level_of(&mentions, "it-board-export.json#1", "comptia-a-plus"),
        "required"
    );
    assert_eq!(
        level_of(&mentions, "it-board-export.json#1", "comptia-network-plus"),
        "preferred"
    );
    assert_eq!(
        level_of(&mentions, "us-postings.csv#1", "cdl-class-a"),
        "required"
    );
    assert_eq!(
        level_of(&mentions, "us-postings.csv#2", "osha-30"),
        "preferred"
    );
    assert_eq!(
        level_of(&mentions, "us-postings.csv#2", "osha-10"),
        "required"
    );
    // A nurse who supervises the CNA is not a requirement of the CNA's job.
    let cna = creds_of(&postings, "us-postings.csv#5");
    assert!(
        cna.contains(&"cna".to_string()) && !cna.contains(&"rn-licence".to_string()),
        "{cna:?}"
    );
    // "Sec+" is Security+; gzip is read.
    assert!(creds_of(&postings, "it-board-export.json#2")
        .contains(&"comptia-security-plus".to_string()));
    assert!(
        creds_of(&postings, "cloud-engineer.json.gz").contains(&"azure-administrator".to_string())
    );

    let m = manifest(&out);
    let c = &m["counts"];
    assert_eq!(c["read"], 18);
    assert_eq!(c["duplicates"], 1);
    assert_eq!(
        m["duplicates"][0]["source"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next(),
        Some("us-postings.csv#4")
    );
    assert_eq!(m["skipped_by_reason"]["malformed"], 2, "{m:#}");
    assert_eq!(m["skipped_by_reason"]["empty"], 1, "{m:#}");
    assert_eq!(m["skipped_by_reason"]["ignored"], 1, "{m:#}");
    let total = c["read"].as_u64().unwrap()
        + c["duplicates"].as_u64().unwrap()
        + c["skipped"].as_u64().unwrap()
        + c["ignored"].as_u64().unwrap();
    assert_eq!(c["records"].as_u64().unwrap(), total);
    // No temporary files are left behind.
    let names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    assert_eq!(names.len(), 6, "{names:?}");
}

#[test]
fn same_input_same_output() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    scan(&[samples().to_str().unwrap(), "--threads", "1"], &a);
    scan(&[samples().to_str().unwrap(), "--threads", "2"], &b);
    for f in [
        "postings.csv",
        "mentions.csv",
        "demand.csv",
        "credentials.csv",
        "groups.csv",
    ] {
        assert_eq!(
            fs::read(a.join(f)).unwrap(),
            fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn groups_by_other_keys() {
    let dir = tempfile::tempdir().unwrap();
    for (by, expect) in [
        ("company", "Example Regional Hospital"),
        ("month", "2026-10"),
        ("source", "us-postings.csv"),
    ] {
        let out = dir.path().join(by);
        scan(&[samples().to_str().unwrap(), "--group-by", by], &out);
        let groups = read_csv(&out.join("groups.csv"));
        assert!(
            groups.iter().any(|g| g["group"].contains(expect)),
            "{by}: {:?}",
            groups.iter().map(|g| &g["group"]).collect::<Vec<_>>()
        );
    }
}

#[test]
fn bad_inputs_are_reported_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    fs::create_dir(&input).unwrap();
    fs::write(
        input.join("good.txt"),
        "Staff Accountant\nCPA license required for audit and tax work.\n",
    )
    .unwrap();
    fs::write(input.join("no-text.csv"), "a,b\n1,2\n").unwrap();
    fs::write(input.join("binary.json"), b"{\x00\x01\x02").unwrap();
    fs::write(
        input.join("lines.jsonl"),
        "{\"title\": \"A\", \"description\": \"PMP\"}\nnot json\n",
    )
    .unwrap();
    fs::write(input.join("bad.json.gz"), b"not gzip at all").unwrap();
    fs::write(input.join("picture.png"), b"\x89PNG").unwrap();
    let out = dir.path().join("out");
    let o = scan(&[input.to_str().unwrap()], &out);
    assert_eq!(o.status.code(), Some(1));
    let m = manifest(&out);
    let reasons: Vec<(String, String)> = m["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["source"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (file, reason) in [
        ("no-text.csv", "no text"),
        ("binary.json", "undecodable"),
        ("lines.jsonl#2", "malformed"),
        ("bad.json.gz", "malformed"),
        ("picture.png", "ignored"),
    ] {
        assert!(
            reasons.contains(&(file.to_string(), reason.to_string())),
            "{file}: {reasons:?}"
        );
    }
    assert_eq!(m["counts"]["read"], 2);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("no-text.csv") && stderr.contains("--text-col"),
        "{stderr}"
    );
}

#[test]
fn missing_inputs_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let o = scan(&["/no/such/folder"], &dir.path().join("out"));
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("/no/such/folder") && stderr.contains("no such file"),
        "{stderr}"
    );
}

#[test]
fn column_overrides_are_used_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("export.csv");
    fs::write(
        &input,
        "role_name,body_a,body_b\nAuditor,Must be a CPA.,Audit and tax.\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = bin()
        .args([
            "scan",
            input.to_str().unwrap(),
            "--title-col",
            "role_name",
            "--text-col",
            "body_a",
            "--text-col",
            "body_b",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("title=role_name, text=body_a+body_b"),
        "{stdout}"
    );
    let postings = read_csv(&out.join("postings.csv"));
    assert_eq!(postings[0]["credentials"], "cpa");
}

#[test]
fn explain_shows_matches_and_rejections() {
    let o = bin()
        .arg("explain")
        .arg(samples().join("html/mental-health-nurse.html"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout.contains("NMC PIN") && stdout.contains("required"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[cpa]") && stdout.contains("rejected"),
        "{stdout}"
    );
}

#[test]
fn the_builtin_dictionary_checks_clean() {
    let o = bin().args(["dict", "check"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{stdout}");
    assert!(stdout.trim_end().ends_with("0 problems"), "{stdout}");
}

#[test]
fn dict_check_catches_bad_entries() {
    let dir = tempfile::tempdir().unwrap();
    let extra = dir.path().join("mine.toml");
    fs::write(
        &extra,
        r#"
[[credential]]
id = "widget-cert"
name = "Widget Certification"
issuer = "Widget Institute"
kind = "certification"
category = "no-such-category"
aliases = ["Widget Certified"]
positive = ["Widget Certified staff only."]
negative = ["We are Widget Certified."]
"#,
    )
    .unwrap();
    let o = bin()
        .args(["dict", "check", "--dictionary"])
        .arg(&extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("unknown category"), "{stdout}");
    assert!(stdout.contains("negative example matched"), "{stdout}");
}

#[test]
fn suggest_finds_missing_phrases() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3 {
        fs::write(
            dir.path().join(format!("{i}.txt")),
            format!("Widget Tech {i}\nA Certified Widget Inspector credential is required.\n"),
        )
        .unwrap();
    }
    let o = bin().arg("suggest").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("3  Certified Widget Inspector"), "{stdout}");
}
