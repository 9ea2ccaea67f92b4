//! Reading OpenAPI documents from files: what a document's `$ref`s may open, and how
//! much of any file is read. Documents come from elsewhere; reading one must not
//! read the rest of the machine.

use std::path::Path;

use serde_json::json;

use super::scratch::Scratch;
use super::{import, import_file, read_document, read_document_with, ImportError, ImportOptions, ReadOptions};

fn referring_to(reference: &str) -> String {
    format!("openapi: 3.0.3\ncomponents:\n  schemas:\n    Secret:\n      $ref: '{reference}'\n")
}

fn allowing(folder: &Path) -> ReadOptions {
    ReadOptions { allowed_folders: vec![folder.to_path_buf()], ..ReadOptions::default() }
}

#[test]
fn references_outside_the_document_folder_are_refused() {
    let dir = Scratch::new("outside");
    let secret = dir.write("secret.yaml", "X: { type: string }\n");
    dir.write("api/inside/pet.yaml", "type: object\n");
    let references =
        ["../secret.yaml#/X".to_owned(), format!("file://{}#/X", secret.display()), format!("{}#/X", secret.display())];
    for reference in &references {
        let root = dir.write("api/openapi.yaml", &referring_to(reference));
        let error = read_document(&root).unwrap_err();
        assert!(matches!(error, ImportError::RefOutside { .. }), "{reference}: {error:?}");
        let message = error.to_string();
        for part in [
            format!("{}#/components/schemas/Secret", root.display()),
            format!("`$ref: {reference}`"),
            secret.display().to_string(),
            dir.0.join("api").display().to_string(),
            "allow its folder".to_owned(),
        ] {
            assert!(message.contains(&part), "{part} not in {message}");
        }
        // Allowed when the user says so.
        let document = read_document_with(&root, &allowing(&dir.0)).unwrap();
        assert_eq!(document.root["components"]["schemas"]["Secret"]["$ref"], "#/components/schemas/X");
        assert_eq!(document.root["components"]["schemas"]["X"], json!({ "type": "string" }));
    }
    // Below the document's folder is fine without asking.
    let root = dir.write("api/openapi.yaml", &referring_to("inside/pet.yaml"));
    let document = read_document(&root).unwrap();
    assert_eq!(document.root["components"]["schemas"]["pet"], json!({ "type": "object" }));
}

#[cfg(unix)]
#[test]
fn a_symlink_does_not_lead_out_of_the_folder() {
    let dir = Scratch::new("symlink");
    let secret = dir.write("secret.yaml", "X: { type: string }\n");
    std::fs::create_dir_all(dir.0.join("api")).unwrap();
    std::os::unix::fs::symlink(&secret, dir.0.join("api/link.yaml")).unwrap();
    let root = dir.write("api/openapi.yaml", &referring_to("link.yaml#/X"));
    let error = read_document(&root).unwrap_err();
    assert!(matches!(error, ImportError::RefOutside { .. }), "{error:?}");
}

#[cfg(unix)]
#[test]
fn devices_and_fifos_are_not_read() {
    // `/dev/zero` never ends: reading it would fill the memory.
    let error = read_document(Path::new("/dev/zero")).unwrap_err();
    assert!(matches!(error, ImportError::NotAFile { .. }), "{error:?}");
    assert!(error.to_string().contains("/dev/zero: is a device, FIFO or socket, not a regular file"), "{error}");

    let dir = Scratch::new("fifo");
    let fifo = dir.0.join("api.yaml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    if made {
        // Opening a FIFO blocks until a writer comes: it must not be opened at all.
        let error = read_document(&fifo).unwrap_err();
        assert!(matches!(error, ImportError::NotAFile { .. }), "{error:?}");
        let root = dir.write("root.yaml", &referring_to("api.yaml#/X"));
        let document = read_document(&root).unwrap();
        assert_eq!(document.root["components"]["schemas"]["Secret"]["$ref"], "api.yaml#/X");
        assert!(document.warnings[0].message.contains("not a regular file"), "{:?}", document.warnings);
    }
    // A reference to a device, where references may read, is left as it is.
    let root = dir.write("zero.yaml", &referring_to("/dev/zero"));
    let document = read_document_with(&root, &allowing(Path::new("/dev"))).unwrap();
    assert_eq!(document.root["components"]["schemas"]["Secret"]["$ref"], "/dev/zero");
    assert!(document.warnings.iter().any(|w| w.message.contains("not a regular file")), "{:?}", document.warnings);
}

#[test]
fn files_over_the_size_limit_are_refused() {
    let dir = Scratch::new("size");
    let text = "openapi: 3.0.3\npaths: {}\n";
    let root = dir.write("openapi.yaml", text);
    let limit = text.len() as u64;
    let exact = ReadOptions { max_file_bytes: limit, ..ReadOptions::default() };
    assert!(read_document_with(&root, &exact).is_ok());
    let small = ReadOptions { max_file_bytes: limit - 1, ..ReadOptions::default() };
    let error = read_document_with(&root, &small).unwrap_err();
    assert!(matches!(error, ImportError::TooLarge { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&root.display().to_string()), "{message}");
    assert!(message.contains(&format!("larger than {} bytes", limit - 1)), "{message}");
    assert!(message.contains("raise the limit"), "{message}");

    // A referenced file over the limit ends the import too.
    let big = dir.write("big.yaml", &format!("X: {{ description: '{}' }}\n", "x".repeat(100)));
    let root = dir.write("root.yaml", &referring_to("big.yaml#/X"));
    let options = ReadOptions { max_file_bytes: 100, ..ReadOptions::default() };
    let error = read_document_with(&root, &options).unwrap_err();
    assert!(error.to_string().starts_with(&format!("{}: larger than 100 bytes", big.display())), "{error}");
}

#[test]
fn an_invalid_slug_is_refused_before_anything_else() {
    // Not even the (missing) file is looked at.
    let error = import_file(Path::new("no/such/file.yaml"), &ImportOptions::new("my-api")).unwrap_err();
    assert!(matches!(error, ImportError::Slug { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "toolkit slug `my-api` is not lower snake case (`a-z`, `0-9`, `_`, starting with a letter, at most 40 \
         characters); use `my_api` instead"
    );
    let document = json!({ "openapi": "3.0.3", "paths": {} });
    let error = import(&document, &ImportOptions::new("9")).unwrap_err();
    assert!(error.to_string().ends_with("use lower snake case, e.g. `my_service`"), "{error}");
    assert!(ImportOptions::checked("My API").unwrap_err().to_string().contains("use `my_api` instead"));
}
