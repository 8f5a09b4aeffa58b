//! Embeds every `dictionaries/credentials/*.toml` file in the binary, so the dictionary a
//! user edits is the default the tool ships with, without a list to keep in step by hand.

use std::env;
use std::fs;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=dictionaries");
    // Read at run time, not baked in with `env!`: a build script compiled for one checkout
    // may be reused for another that shares the target folder.
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("dictionaries/credentials");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("dictionaries/credentials exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = String::from("&[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy();
        out.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            format!("dictionaries/credentials/{name}"),
            f.display().to_string()
        ));
    }
    out.push_str("]\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("embedded_credentials.rs");
    fs::write(dest, out).unwrap();
}
