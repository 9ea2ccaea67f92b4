//! Encryption of secrets at rest: AES-256-GCM under a ring of keys.
//!
//! A sealed value is text, `v1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>`, with a random
//! 96-bit nonce per value. The format version and the key id are the AEAD's associated
//! data (with an optional context, such as the id of the record the value belongs to), so
//! neither can be altered and a value cannot be moved to another record unnoticed.
//!
//! A key's id is the first 8 hex digits of SHA-256(`toolsmith-key-id:` ‖ key): it is
//! derived, never stored, and names the key that can open a value after a rotation.
//!
//! Keys come from the environment variable `TOOLSMITH_SECRET_KEY` (base64 of 32 bytes;
//! several comma-separated, the first current) or, when it is unset, from the key file
//! `<TOOLSMITH_HOME>/secret.keys` (one base64 key a line, the first current), created with
//! mode 0600 and a generated key on first use.

mod error;
mod key_id;
mod keyfile;
mod live;

pub use error::KeyError;
pub use key_id::KeyId;
pub(crate) use live::LiveKeys;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce, Tag};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use secrecy::zeroize::{Zeroize, Zeroizing};
use secrecy::{ExposeSecret, ExposeSecretMut, SecretBox, SecretString};

/// The environment variable that holds the keys: base64 of 32 bytes each, comma-separated,
/// the first current.
pub const SECRET_KEY_ENV: &str = "TOOLSMITH_SECRET_KEY";

/// The version tag of the sealed format this build writes.
const FORMAT: &str = "v1";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const KEY_LEN: usize = 32;

/// Where a [`KeyRing`]'s keys came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeySource {
    /// The environment variable `TOOLSMITH_SECRET_KEY`.
    Env,
    /// A key file.
    File(PathBuf),
    /// Given in code ([`KeyRing::from_base64`], [`KeyRing::generate`]).
    Memory,
}

struct Key {
    id: KeyId,
    bytes: SecretBox<[u8; KEY_LEN]>,
}

/// The keys that seal secrets: the first is current (it seals), every key opens what it
/// sealed. Cheap to clone. Its `Debug` output shows key ids only.
///
/// ```
/// use toolsmith_store::KeyRing;
/// use secrecy::ExposeSecret;
///
/// let old = KeyRing::generate()?;
/// let sealed = old.seal(b"hunter2")?;
/// assert!(!sealed.contains("hunter2"));
/// assert_eq!(old.open(&sealed)?.expose_secret().as_slice(), b"hunter2");
///
/// // Rotation: a new current key, the old one kept to open older values.
/// let new = KeyRing::from_base64(&format!("{},{}", KeyRing::generate_key()?.expose_secret(), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="))?;
/// assert!(new.open(&sealed).is_err()); // `old`'s key is not in `new`: UnknownKey
/// assert_eq!(KeyRing::sealed_key_id(&sealed)?, old.current().clone());
/// # Ok::<(), toolsmith_store::KeyError>(())
/// ```
#[derive(Clone)]
pub struct KeyRing {
    keys: Arc<[Key]>,
    source: KeySource,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("current", self.current())
            .field("keys", &self.keys.iter().map(|k| &k.id).collect::<Vec<_>>())
            .field("source", &self.source)
            .finish()
    }
}

impl KeyRing {
    /// The keys of a deployment: from `TOOLSMITH_SECRET_KEY` when it is set (and not
    /// empty), else from the key file `<home>/secret.keys`, which is created (mode 0600,
    /// one generated key) when missing. A key file that other users can access is refused.
    ///
    /// ```no_run
    /// let home = toolsmith_store::default_home().ok_or("set TOOLSMITH_HOME")?;
    /// let ring = toolsmith_store::KeyRing::load(&home)?;
    /// println!("sealing with key {}", ring.current());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load(home: &Path) -> Result<KeyRing, KeyError> {
        KeyRing::load_from(std::env::var_os(SECRET_KEY_ENV), home)
    }

    /// The keys of the key file `<home>/secret.keys` (created with one generated key
    /// when missing), whether `TOOLSMITH_SECRET_KEY` is set or not.
    ///
    /// ```
    /// # let home = std::env::temp_dir().join(format!("toolsmith-doc-keyfile-{}", std::process::id()));
    /// use toolsmith_store::{KeyRing, KeySource};
    /// let ring = KeyRing::from_key_file(&home)?; // created on first use
    /// assert_eq!(ring.source(), &KeySource::File(KeyRing::key_file(&home)));
    /// assert_eq!(KeyRing::from_key_file(&home)?.current(), ring.current());
    /// # std::fs::remove_dir_all(&home).unwrap();
    /// # Ok::<(), toolsmith_store::KeyError>(())
    /// ```
    pub fn from_key_file(home: &Path) -> Result<KeyRing, KeyError> {
        let path = KeyRing::key_file(home);
        let text = match keyfile::read(&path)? {
            Some(text) => text,
            None => keyfile::create(&path, keyfile::render(&KeyRing::generate()?.encoded_keys()))?,
        };
        KeyRing::parse_file(&text, &path)
    }

    /// [`KeyRing::load`] with the variable's value given.
    fn load_from(env: Option<std::ffi::OsString>, home: &Path) -> Result<KeyRing, KeyError> {
        match env {
            Some(value) if !value.is_empty() => {
                let value = Zeroizing::new(value.into_string().map_err(|_| KeyError::InvalidKey {
                    origin: SECRET_KEY_ENV.to_owned(),
                    reason: "not valid UTF-8",
                })?);
                KeyRing::parse_list(&value, SECRET_KEY_ENV, KeySource::Env)
            }
            _ => KeyRing::from_key_file(home),
        }
    }

    /// The key file of a home folder: `<home>/secret.keys`.
    ///
    /// ```
    /// let path = toolsmith_store::KeyRing::key_file(std::path::Path::new("/srv/toolsmith"));
    /// assert_eq!(path, std::path::Path::new("/srv/toolsmith/secret.keys"));
    /// ```
    pub fn key_file(home: &Path) -> PathBuf {
        home.join("secret.keys")
    }

    /// Adds a generated key to the key file `<home>/secret.keys` (created when missing)
    /// and makes it current; the other keys stay, so values they sealed still open.
    /// Returns the new ring. The file is replaced atomically (written beside it, then
    /// renamed); do not run two rotations at once.
    ///
    /// Re-seal stored values with the new key afterwards ([`KeyRotation::reencrypt`](crate::KeyRotation::reencrypt)).
    /// `TOOLSMITH_SECRET_KEY`, when set, takes precedence over the file in [`KeyRing::load`]:
    /// rotate it by putting a new key ([`KeyRing::generate_key`]) first in the variable.
    ///
    /// ```
    /// # let home = std::env::temp_dir().join(format!("toolsmith-doc-rotate-{}", std::process::id()));
    /// use toolsmith_store::KeyRing;
    /// let first = KeyRing::rotate_file(&home)?; // creates the file: one key
    /// let second = KeyRing::rotate_file(&home)?;
    /// assert_eq!(second.ids().count(), 2);
    /// assert!(second.contains(first.current()) && second.current() != first.current());
    /// # std::fs::remove_dir_all(&home).unwrap();
    /// # Ok::<(), toolsmith_store::KeyError>(())
    /// ```
    pub fn rotate_file(home: &Path) -> Result<KeyRing, KeyError> {
        let path = KeyRing::key_file(home);
        let mut lines = KeyRing::generate()?.encoded_keys();
        if let Some(text) = keyfile::read(&path)? {
            lines.extend(KeyRing::parse_file(&text, &path)?.encoded_keys());
        }
        let text = keyfile::render(&lines);
        keyfile::replace(&path, &text)?;
        KeyRing::parse_file(&text, &path)
    }

    /// Removes the keys `ids` from the key file `<home>/secret.keys`, except its current
    /// key, which is always kept; returns the new ring. The file is read again and
    /// replaced atomically, as [`KeyRing::rotate_file`] does. Only remove keys no stored
    /// value is sealed with ([`prune_key_file`](crate::prune_key_file) checks).
    ///
    /// ```
    /// # let home = std::env::temp_dir().join(format!("toolsmith-doc-remove-{}", std::process::id()));
    /// use toolsmith_store::KeyRing;
    /// let old = KeyRing::rotate_file(&home)?;
    /// let new = KeyRing::rotate_file(&home)?;
    /// let pruned = KeyRing::remove_from_file(&home, &[old.current().clone(), new.current().clone()])?;
    /// assert_eq!(pruned.ids().collect::<Vec<_>>(), [new.current()]); // the current key stays
    /// # std::fs::remove_dir_all(&home).unwrap();
    /// # Ok::<(), toolsmith_store::KeyError>(())
    /// ```
    pub fn remove_from_file(home: &Path, ids: &[KeyId]) -> Result<KeyRing, KeyError> {
        let path = KeyRing::key_file(home);
        let ring = KeyRing::parse_file(&keyfile::read_existing(&path)?, &path)?;
        let kept: Vec<Zeroizing<String>> = ring
            .keys
            .iter()
            .enumerate()
            .filter(|(i, k)| *i == 0 || !ids.contains(&k.id))
            .map(|(_, k)| Zeroizing::new(STANDARD.encode(k.bytes.expose_secret())))
            .collect();
        let text = keyfile::render(&kept);
        keyfile::replace(&path, &text)?;
        KeyRing::parse_file(&text, &path)
    }

    /// A ring from base64 keys, comma-separated, the first current (the format of
    /// `TOOLSMITH_SECRET_KEY`).
    ///
    /// ```
    /// let ring = toolsmith_store::KeyRing::from_base64("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")?;
    /// assert_eq!(ring.ids().count(), 1);
    /// assert!(toolsmith_store::KeyRing::from_base64("c2hvcnQ=").is_err()); // 5 bytes
    /// # Ok::<(), toolsmith_store::KeyError>(())
    /// ```
    pub fn from_base64(keys: &str) -> Result<KeyRing, KeyError> {
        KeyRing::parse_list(keys, "key list", KeySource::Memory)
    }

    /// A ring of one new random key, held in memory only (tests, ephemeral stores).
    ///
    /// ```
    /// let (a, b) = (toolsmith_store::KeyRing::generate()?, toolsmith_store::KeyRing::generate()?);
    /// assert_ne!(a.current(), b.current());
    /// # Ok::<(), toolsmith_store::KeyError>(())
    /// ```
    pub fn generate() -> Result<KeyRing, KeyError> {
        let key = Key::from_bytes(random_key()?);
        Ok(KeyRing { keys: Arc::from(vec![key]), source: KeySource::Memory })
    }

    /// A new random key in base64, for `TOOLSMITH_SECRET_KEY`.
    ///
    /// ```
    /// use secrecy::ExposeSecret;
    /// let key = toolsmith_store::KeyRing::generate_key()?;
    /// assert_eq!(key.expose_secret().len(), 44);
    /// assert!(toolsmith_store::KeyRing::from_base64(key.expose_secret()).is_ok());
    /// # Ok::<(), toolsmith_store::KeyError>(())
    /// ```
    pub fn generate_key() -> Result<SecretString, KeyError> {
        let key = random_key()?;
        Ok(SecretString::from(STANDARD.encode(key.expose_secret())))
    }

    /// The id of the current key, which seals new values.
    pub fn current(&self) -> &KeyId {
        &self.keys[0].id
    }

    /// The ids of every key, the current first.
    pub fn ids(&self) -> impl Iterator<Item = &KeyId> {
        self.keys.iter().map(|k| &k.id)
    }

    /// Whether the ring holds the key `id`.
    pub fn contains(&self, id: &KeyId) -> bool {
        self.keys.iter().any(|k| &k.id == id)
    }

    /// Where the keys came from.
    pub fn source(&self) -> &KeySource {
        &self.source
    }

    /// Seals `plaintext` with the current key: `v1:<key id>:<base64>`.
    ///
    /// ```
    /// let ring = toolsmith_store::KeyRing::generate()?;
    /// let (a, b) = (ring.seal(b"same")?, ring.seal(b"same")?);
    /// assert_ne!(a, b); // a fresh nonce each time
    /// # Ok::<(), toolsmith_store::KeyError>(())
    /// ```
    pub fn seal(&self, plaintext: &[u8]) -> Result<String, KeyError> {
        self.seal_with_context(plaintext, b"")
    }

    /// Opens a value [`KeyRing::seal`] sealed, with whichever key of the ring sealed it.
    pub fn open(&self, sealed: &str) -> Result<SecretBox<Vec<u8>>, KeyError> {
        self.open_with_context(sealed, b"")
    }

    /// Seals `plaintext` bound to `context` (such as the id of the record that holds it):
    /// it only opens with the same context.
    ///
    /// ```
    /// let ring = toolsmith_store::KeyRing::generate()?;
    /// let sealed = ring.seal_with_context(b"token", b"ca_1")?;
    /// assert!(ring.open_with_context(&sealed, b"ca_1").is_ok());
    /// assert!(ring.open_with_context(&sealed, b"ca_2").is_err());
    /// # Ok::<(), toolsmith_store::KeyError>(())
    /// ```
    pub fn seal_with_context(&self, plaintext: &[u8], context: &[u8]) -> Result<String, KeyError> {
        let key = &self.keys[0];
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| KeyError::Random(e.to_string()))?;
        // One buffer sized for nonce ‖ ciphertext ‖ tag, encrypted in place: the plaintext
        // is never copied into memory that is freed without being overwritten.
        let mut buffer = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
        buffer.extend_from_slice(&nonce);
        buffer.extend_from_slice(plaintext);
        let tag = key.cipher().encrypt_in_place_detached(
            Nonce::from_slice(&nonce),
            &associated_data(&key.id, context),
            &mut buffer[NONCE_LEN..],
        );
        match tag {
            Ok(tag) => buffer.extend_from_slice(&tag),
            Err(_) => {
                buffer.zeroize();
                return Err(KeyError::Corrupt { reason: "the value is too long to encrypt" });
            }
        }
        Ok(format!("{FORMAT}:{}:{}", key.id, STANDARD.encode(&buffer)))
    }

    /// Opens a value sealed with [`KeyRing::seal_with_context`] and the same `context`.
    pub fn open_with_context(&self, sealed: &str, context: &[u8]) -> Result<SecretBox<Vec<u8>>, KeyError> {
        let (id, body) = split_sealed(sealed)?;
        let Some(key) = self.keys.iter().find(|k| k.id == id) else {
            let loaded = self.ids().map(KeyId::as_str).collect::<Vec<_>>().join(", ");
            return Err(KeyError::UnknownKey { id, loaded });
        };
        let mut data =
            STANDARD.decode(body).map_err(|_| KeyError::Corrupt { reason: "its ciphertext is not valid base64" })?;
        if data.len() < NONCE_LEN + TAG_LEN {
            return Err(KeyError::Corrupt { reason: "its ciphertext is too short" });
        }
        let tag_at = data.len() - TAG_LEN;
        let nonce = *Nonce::from_slice(&data[..NONCE_LEN]);
        let tag = *Tag::from_slice(&data[tag_at..]);
        let opened = key.cipher().decrypt_in_place_detached(
            &nonce,
            &associated_data(&key.id, context),
            &mut data[NONCE_LEN..tag_at],
            &tag,
        );
        if opened.is_err() {
            data.zeroize();
            return Err(KeyError::Corrupt {
                reason: "authentication failed: it was altered, or it belongs to another record",
            });
        }
        // Shift the plaintext to the front in place (no reallocation, so no stray copy).
        data.truncate(tag_at);
        data.drain(..NONCE_LEN);
        Ok(SecretBox::new(Box::new(data)))
    }

    /// The id of the key that sealed `sealed`, read from its header (nothing is decrypted).
    ///
    /// ```
    /// use toolsmith_store::KeyRing;
    /// let ring = KeyRing::generate()?;
    /// assert_eq!(&KeyRing::sealed_key_id(&ring.seal(b"x")?)?, ring.current());
    /// assert!(KeyRing::sealed_key_id("plain text").is_err());
    /// # Ok::<(), toolsmith_store::KeyError>(())
    /// ```
    pub fn sealed_key_id(sealed: &str) -> Result<KeyId, KeyError> {
        split_sealed(sealed).map(|(id, _)| id)
    }

    /// Reads the key file again when the ring came from one; `None` otherwise. Lets a
    /// long-running process pick up a rotation made by another one.
    pub(crate) fn reload(&self) -> Result<Option<KeyRing>, KeyError> {
        match &self.source {
            KeySource::File(path) => KeyRing::parse_file(&keyfile::read_existing(path)?, path).map(Some),
            KeySource::Env | KeySource::Memory => Ok(None),
        }
    }

    /// The ring a key file's text lists: one base64 key a line, the first current;
    /// empty lines and lines starting with `#` are ignored.
    fn parse_file(text: &str, path: &Path) -> Result<KeyRing, KeyError> {
        let mut keys = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if !line.is_empty() && !line.starts_with('#') {
                keys.push(Key::decode(line, || format!("key file {}, line {}", path.display(), n + 1))?);
            }
        }
        KeyRing::from_keys(keys, &format!("key file {}", path.display()), KeySource::File(path.to_owned()))
    }

    /// Parses comma-separated base64 keys; `origin` names the list in errors.
    fn parse_list(list: &str, origin: &str, source: KeySource) -> Result<KeyRing, KeyError> {
        let mut keys = Vec::new();
        for (i, item) in list.split(',').map(str::trim).enumerate() {
            if !item.is_empty() {
                keys.push(Key::decode(item, || format!("{origin}, key {}", i + 1))?);
            }
        }
        KeyRing::from_keys(keys, origin, source)
    }

    /// A ring of `keys` (the first current), duplicates dropped.
    fn from_keys(keys: Vec<Key>, origin: &str, source: KeySource) -> Result<KeyRing, KeyError> {
        let mut unique: Vec<Key> = Vec::with_capacity(keys.len());
        for key in keys {
            if !unique.iter().any(|k| k.id == key.id) {
                unique.push(key);
            }
        }
        if unique.is_empty() {
            return Err(KeyError::NoKeys { origin: origin.to_owned() });
        }
        Ok(KeyRing { keys: Arc::from(unique), source })
    }

    /// Every key in base64, the current first (the key file's lines).
    fn encoded_keys(&self) -> Vec<Zeroizing<String>> {
        self.keys.iter().map(|k| Zeroizing::new(STANDARD.encode(k.bytes.expose_secret()))).collect()
    }
}

impl Key {
    fn from_bytes(bytes: SecretBox<[u8; KEY_LEN]>) -> Key {
        Key { id: KeyId::of(bytes.expose_secret()), bytes }
    }

    /// A key from its base64; `origin` (built only on error) says where it was written.
    fn decode(text: &str, origin: impl FnOnce() -> String) -> Result<Key, KeyError> {
        // The decoder's own errors quote the offending byte: they are not passed on.
        let decoded = match STANDARD.decode(text.trim()) {
            Ok(decoded) if decoded.len() == KEY_LEN => Zeroizing::new(decoded),
            Ok(mut other) => {
                other.zeroize();
                return Err(KeyError::InvalidKey { origin: origin(), reason: "not 32 bytes long" });
            }
            Err(_) => return Err(KeyError::InvalidKey { origin: origin(), reason: "not base64" }),
        };
        let mut bytes = SecretBox::new(Box::new([0u8; KEY_LEN]));
        bytes.expose_secret_mut().copy_from_slice(&decoded);
        Ok(Key::from_bytes(bytes))
    }

    /// The AES-256-GCM cipher of this key, built per use so that no expanded key
    /// schedule outlives the operation.
    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(self.bytes.expose_secret().into())
    }
}

/// A new key from the operating system's random source.
fn random_key() -> Result<SecretBox<[u8; KEY_LEN]>, KeyError> {
    let mut bytes = SecretBox::new(Box::new([0u8; KEY_LEN]));
    getrandom::fill(bytes.expose_secret_mut()).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(bytes)
}

/// The AEAD's associated data: the header (`v1:<key id>`), a NUL, the context.
fn associated_data(id: &KeyId, context: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(FORMAT.len() + id.0.len() + 2 + context.len());
    aad.extend_from_slice(FORMAT.as_bytes());
    aad.push(b':');
    aad.extend_from_slice(id.0.as_bytes());
    aad.push(0);
    aad.extend_from_slice(context);
    aad
}

/// Splits `v1:<key id>:<base64>` into the key id and the base64 body.
fn split_sealed(sealed: &str) -> Result<(KeyId, &str), KeyError> {
    let mut parts = sealed.splitn(3, ':');
    let (Some(version), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(KeyError::Corrupt { reason: "it is not of the form `v1:<key id>:<ciphertext>`" });
    };
    if version != FORMAT {
        let well_formed = version.len() <= 8
            && version.starts_with('v')
            && version.len() > 1
            && version[1..].bytes().all(|b| b.is_ascii_digit());
        if well_formed {
            return Err(KeyError::UnsupportedFormat { version: version.to_owned() });
        }
        return Err(KeyError::Corrupt { reason: "it does not start with a format version such as `v1`" });
    }
    if id.len() != 8 || !id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
        return Err(KeyError::Corrupt { reason: "its key id is not 8 lower-case hex digits" });
    }
    Ok((KeyId(id.to_owned()), body))
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    /// The key 00 01 02 … 1f.
    const KEY_A: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    /// A value sealed outside this crate (Python `cryptography`'s AESGCM) with KEY_A, the
    /// nonce 100 … 111 and associated data `v1:6537701d\0`: pins the format.
    const KNOWN_SEALED: &str = "v1:6537701d:ZGVmZ2hpamtsbW5vI3WxERfJN/BNFTqaCS5/pea5H+rcfU1tZGn8WQ==";
    /// The same with the context `ca_1`.
    const KNOWN_SEALED_CA_1: &str = "v1:6537701d:ZGVmZ2hpamtsbW5vI3WxERfJN/BNFTqairF5pjHPQop7sSce744z7Q==";

    fn opened(ring: &KeyRing, sealed: &str) -> Vec<u8> {
        ring.open(sealed).unwrap().expose_secret().clone()
    }

    fn temp_home(name: &str) -> PathBuf {
        let mut suffix = [0u8; 6];
        getrandom::fill(&mut suffix).unwrap();
        let suffix: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
        std::env::temp_dir().join(format!("toolsmith-crypto-{name}-{}-{suffix}", std::process::id()))
    }

    #[test]
    fn key_ids_are_derived_from_the_key() {
        assert_eq!(KeyId::of(&[0u8; 32]).as_str(), "0bd86592");
        let ring = KeyRing::from_base64(KEY_A).unwrap();
        assert_eq!(ring.current().as_str(), "6537701d");
        assert_eq!(KeyRing::from_base64(&format!(" {KEY_A} ,")).unwrap().current(), ring.current());
    }

    #[test]
    fn opens_a_value_sealed_by_another_implementation() {
        let ring = KeyRing::from_base64(KEY_A).unwrap();
        assert_eq!(opened(&ring, KNOWN_SEALED), b"known answer");
        let with_context = ring.open_with_context(KNOWN_SEALED_CA_1, b"ca_1").unwrap();
        assert_eq!(with_context.expose_secret().as_slice(), b"known answer");
        assert!(matches!(ring.open(KNOWN_SEALED_CA_1), Err(KeyError::Corrupt { .. })));
        assert!(matches!(ring.open_with_context(KNOWN_SEALED, b"ca_1"), Err(KeyError::Corrupt { .. })));
    }

    #[test]
    fn round_trips_with_a_fresh_nonce_each_time() {
        let ring = KeyRing::generate().unwrap();
        for plaintext in [&b""[..], b"x", &[0xffu8; 1000][..], "é🔑".as_bytes()] {
            let (a, b) = (ring.seal(plaintext).unwrap(), ring.seal(plaintext).unwrap());
            assert_ne!(a, b);
            assert_eq!(opened(&ring, &a), plaintext);
            assert_eq!(opened(&ring, &b), plaintext);
            let body = a.strip_prefix(&format!("v1:{}:", ring.current())).unwrap();
            assert_eq!(STANDARD.decode(body).unwrap().len(), NONCE_LEN + plaintext.len() + TAG_LEN);
        }
        let sealed = ring.seal(b"secret-plaintext").unwrap();
        assert!(!sealed.contains("secret-plaintext"));
        assert!(!sealed.contains(&STANDARD.encode(b"secret-plaintext")));
    }

    #[test]
    fn altered_values_are_refused() {
        let ring = KeyRing::from_base64(KEY_A).unwrap();
        let mut bytes = STANDARD.decode(&KNOWN_SEALED[12..]).unwrap();
        for at in [0, NONCE_LEN, bytes.len() - 1] {
            bytes[at] ^= 1;
            let altered = format!("v1:6537701d:{}", STANDARD.encode(&bytes));
            bytes[at] ^= 1;
            let err = ring.open(&altered).unwrap_err();
            assert!(matches!(err, KeyError::Corrupt { .. }), "{err}");
        }
        // The key id is bound: the same body under another (loaded) key id does not open.
        let two = KeyRing::from_base64(&format!("{},{KEY_A}", STANDARD.encode([7u8; 32]))).unwrap();
        let moved = KNOWN_SEALED.replace("6537701d", two.current().as_str());
        assert!(matches!(two.open(&moved), Err(KeyError::Corrupt { .. })));
        for garbage in ["", "hunter2", "v1:6537701d", "v1:6537701d:!!!", "v1:6537701d:AAAA", "v1:XYZ:AAAA"] {
            assert!(matches!(ring.open(garbage), Err(KeyError::Corrupt { .. })), "{garbage}");
        }
        let err = ring.open("v2:6537701d:AAAA").unwrap_err();
        assert!(matches!(&err, KeyError::UnsupportedFormat { version } if version == "v2"), "{err}");
        assert!(err.to_string().contains("upgrade toolsmith"));
    }

    #[test]
    fn a_missing_key_is_named_with_the_fix() {
        let other = KeyRing::generate().unwrap();
        let err = other.open(KNOWN_SEALED).unwrap_err();
        let message = err.to_string();
        assert!(matches!(&err, KeyError::UnknownKey { id, .. } if id.as_str() == "6537701d"));
        assert!(message.contains("`6537701d`") && message.contains(other.current().as_str()), "{message}");
        assert!(message.contains("TOOLSMITH_SECRET_KEY") && message.contains("secret.keys"), "{message}");
        assert!(!message.contains(KEY_A));
    }

    #[test]
    fn rotated_rings_seal_with_the_first_key_and_open_with_all() {
        let old = KeyRing::from_base64(KEY_A).unwrap();
        let new_key = KeyRing::generate_key().unwrap();
        let rotated = KeyRing::from_base64(&format!("{},{KEY_A}", new_key.expose_secret())).unwrap();
        assert_eq!(rotated.ids().collect::<Vec<_>>(), [rotated.current(), old.current()]);
        assert_eq!(opened(&rotated, KNOWN_SEALED), b"known answer");
        let sealed = rotated.seal(b"new").unwrap();
        assert_eq!(KeyRing::sealed_key_id(&sealed).unwrap(), *rotated.current());
        assert!(matches!(old.open(&sealed), Err(KeyError::UnknownKey { .. })));
        // Listing a key twice keeps it once.
        assert_eq!(KeyRing::from_base64(&format!("{KEY_A},{KEY_A}")).unwrap().ids().count(), 1);
    }

    #[test]
    fn invalid_keys_are_reported_without_their_value() {
        let short = STANDARD.encode([1u8; 16]);
        let err = KeyRing::from_base64(&format!("{KEY_A},{short}")).unwrap_err();
        assert!(matches!(&err, KeyError::InvalidKey { reason: "not 32 bytes long", .. }), "{err}");
        assert!(err.to_string().contains("key 2") && !err.to_string().contains(&short), "{err}");
        let err = KeyRing::from_base64("not*base64").unwrap_err();
        assert!(err.to_string().contains("not base64") && !err.to_string().contains("not*base64"), "{err}");
        assert!(matches!(KeyRing::from_base64(" , "), Err(KeyError::NoKeys { .. })));
    }

    #[test]
    fn the_variable_wins_over_the_key_file() {
        let home = temp_home("env");
        let ring = KeyRing::load_from(Some(KEY_A.into()), &home).unwrap();
        assert_eq!((ring.current().as_str(), ring.source()), ("6537701d", &KeySource::Env));
        assert!(!home.exists(), "no key file is created when the variable is set");
        let err = KeyRing::load_from(Some("abc".into()), &home).unwrap_err();
        assert!(err.to_string().starts_with("TOOLSMITH_SECRET_KEY, key 1: not"), "{err}");
        // Unset or empty: the key file, created on first use.
        let from_file = KeyRing::load_from(Some("".into()), &home).unwrap();
        assert_eq!(from_file.source(), &KeySource::File(home.join("secret.keys")));
        assert_eq!(KeyRing::load_from(None, &home).unwrap().current(), from_file.current());
        fs::remove_dir_all(&home).unwrap();
    }

    #[test]
    fn key_file_lines_are_checked_and_comments_skipped() {
        let home = temp_home("lines");
        let path = KeyRing::key_file(&home);
        let first = KeyRing::from_key_file(&home).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# toolsmith secret keys"));
        // Append a broken line: the error names the file and line, not the value.
        fs::write(&path, format!("{text}\n# a comment\nc2hvcnQ=\n")).unwrap();
        let err = KeyRing::from_key_file(&home).unwrap_err();
        assert!(err.to_string().contains(&format!("{}, line 7: not 32 bytes", path.display())), "{err}");
        fs::write(&path, &text).unwrap();
        assert_eq!(KeyRing::from_key_file(&home).unwrap().current(), first.current());
        assert_eq!(first.reload().unwrap().unwrap().current(), first.current());
        fs::write(&path, "# nothing\n").unwrap();
        assert!(matches!(KeyRing::from_key_file(&home), Err(KeyError::NoKeys { .. })));
        fs::remove_dir_all(&home).unwrap();
    }

    #[test]
    fn debug_output_shows_key_ids_only() {
        let ring = KeyRing::from_base64(&format!("{},{KEY_A}", STANDARD.encode([9u8; 32]))).unwrap();
        let debug = format!("{ring:?}");
        assert!(debug.contains("6537701d") && debug.contains(ring.current().as_str()), "{debug}");
        assert!(!debug.contains(KEY_A) && !debug.contains(&STANDARD.encode([9u8; 32])[..20]), "{debug}");
        assert!(!debug.contains("[0, 1, 2") && !debug.contains("9, 9, 9"), "{debug}");
    }
}
