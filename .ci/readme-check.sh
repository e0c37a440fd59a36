#!/usr/bin/env bash
# The README's code, built as a user builds it: a separate crate with exactly the dependencies
# the README lists (doc tests cannot catch a missing dependency: they see our dev-dependencies).
#
#   1. "Quick start": its ```toml block becomes the crate's [dependencies], its ```rust block
#      src/main.rs; `cargo build`.
#   2. "Testing your own code with the sandbox": its ```toml block is added as
#      [dev-dependencies], its ```rust block becomes tests/readme_sandbox.rs; `cargo test` runs
#      it against the embedded sandbox (loopback only).
#   3. "Callbacks in an axum handler": its ```rust block becomes a second crate's src/main.rs,
#      with the Quick start's dependencies plus what the section's text says to add
#      (`features = ["axum"]` on epoint-az, `axum = "0.8"`, tokio's "net"); `cargo build`.
#
# Every other Rust block of README.md and docs/*.md is a doc test (src/lib.rs, `mod guides`);
# this script fails when a docs/ page is missing from that module.
#
# `epoint-az = "<version>"` (with any features) is pointed at this checkout. The crate reuses the
# checkout's Cargo.lock and target directory, so only `epoint-az` itself is rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CRATE=$(mktemp -d)
trap 'rm -rf "$CRATE"' EXIT

python3 - "$ROOT" "$CRATE" <<'PY'
import pathlib, re, sys

root, crate = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
readme = (root / "README.md").read_text()

def section(title):
    m = re.search(r"^## " + re.escape(title) + r"\n(.*?)(?=^## )", readme, re.S | re.M)
    if not m:
        sys.exit(f"readme-check: README.md has no section '## {title}'")
    return m.group(1)

def block(text, lang, title):
    m = re.search(r"^```" + lang + r"[^\n]*\n(.*?)^```", text, re.S | re.M)
    if not m:
        sys.exit(f"readme-check: section '{title}' has no ```{lang} block")
    return m.group(1)

def local(toml):
    # epoint-az = "0.2"  /  epoint-az = { version = "0.2", features = [...] }  →  path = checkout
    toml = re.sub(r'^epoint-az\s*=\s*"[^"]*"', f'epoint-az = {{ path = "{root}" }}', toml, flags=re.M)
    toml = re.sub(r'^(epoint-az\s*=\s*\{)\s*version\s*=\s*"[^"]*"', rf'\1 path = "{root}"', toml, flags=re.M)
    toml = re.sub(r'^epoint-az-sandbox\s*=\s*"[^"]*"', f'epoint-az-sandbox = {{ path = "{root}/sandbox" }}', toml, flags=re.M)
    return toml

# Every docs/ page is doc-tested: src/lib.rs includes it in its #[cfg(doctest)] module.
lib = (root / "src" / "lib.rs").read_text()
missing = [p.name for p in sorted((root / "docs").glob("*.md"))
           if f'include_str!("../docs/{p.name}")' not in lib]
if missing:
    sys.exit("readme-check: docs/ pages not doc-tested (add them to `mod guides` in src/lib.rs): "
             + ", ".join(missing))

quick = section("Quick start")
deps = local(block(quick, "toml", "Quick start"))
main = block(quick, "rust", "Quick start")
sandbox = section("Testing your own code with the sandbox")
dev = local(block(sandbox, "toml", "Testing your own code with the sandbox"))
test = block(sandbox, "rust", "Testing your own code with the sandbox")

dev = dev.replace("[dev-dependencies]\n", "")
(crate / "src").mkdir()
(crate / "tests").mkdir()
(crate / "Cargo.toml").write_text(
    '[package]\nname = "readme-check"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n'
    + deps.strip() + "\n\n[dev-dependencies]\n" + dev.strip() + "\n\n[workspace]\n"
)
(crate / "src" / "main.rs").write_text(main)
(crate / "tests" / "readme_sandbox.rs").write_text(test)

# 3. The axum handler: the Quick start's dependencies plus exactly what the section says to add.
callbacks = section("Callbacks in an axum handler")
for needed in ('`features = ["axum"]` to `epoint-az`', '`axum = "0.8"`', 'tokio\'s `"net"`'):
    if needed not in " ".join(callbacks.split()):
        sys.exit(f"readme-check: 'Callbacks in an axum handler' no longer says {needed}: update this script")
quick_toml = block(quick, "toml", "Quick start")
axum_deps, n = re.subn(r'^epoint-az\s*=\s*"([^"]*)"', r'epoint-az = { version = "\1", features = ["axum"] }',
                       quick_toml, flags=re.M)
axum_deps, m = re.subn(r'^(tokio\s*=\s*\{[^\n]*features\s*=\s*\[)', r'\1"net", ', axum_deps, flags=re.M)
if (n, m) != (1, 1):
    sys.exit("readme-check: the Quick start's epoint-az / tokio lines changed shape: update this script")
axum_deps = local(axum_deps).strip() + '\naxum = "0.8"\n'
axum = crate / "axum"
(axum / "src").mkdir(parents=True)
(axum / "Cargo.toml").write_text(
    '[package]\nname = "readme-check-axum"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n'
    + axum_deps + "\n[workspace]\n"
)
(axum / "src" / "main.rs").write_text(block(callbacks, "rust", "Callbacks in an axum handler"))
print((axum / "Cargo.toml").read_text())
print((crate / "Cargo.toml").read_text())
PY

cp Cargo.lock "$CRATE/"
cp Cargo.lock "$CRATE/axum/"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
(cd "$CRATE" && cargo build --quiet && cargo test --quiet)
echo "readme-check: the Quick start builds and the sandbox test passes as a separate crate"
(cd "$CRATE/axum" && cargo build --quiet)
echo "readme-check: the axum callback handler builds as a separate crate"

# 3. The Quick start runs as the README says: against the standalone sandbox with the sandbox
#    merchant's keys, the customer's payment made with `curl … /_sandbox/complete/ID`.
QUICK="$CARGO_TARGET_DIR/debug/readme-check"
cargo build --quiet -p epoint-az-cli
"$CARGO_TARGET_DIR/debug/epoint" sandbox --port 0 >"$CRATE/sandbox.out" &
SANDBOX_PID=$!
trap 'kill $SANDBOX_PID 2>/dev/null || true; rm -rf "$CRATE"' EXIT
for _ in $(seq 100); do [ -s "$CRATE/sandbox.out" ] && break; sleep 0.1; done
BASE=$(head -n 1 "$CRATE/sandbox.out")

# Missing keys: the error names the variable (errors derive Debug, so `main` prints the variant
# with its fields).
if env -u EPOINT_PUBLIC_KEY -u EPOINT_PRIVATE_KEY "$QUICK" 2>"$CRATE/nokeys.err"; then
  echo "readme-check: the Quick start ran without keys" >&2; exit 1
fi
grep -q '^Error: Missing { variable: "EPOINT_PUBLIC_KEY"' "$CRATE/nokeys.err" \
  || { echo "readme-check: without keys the Quick start printed:" >&2; cat "$CRATE/nokeys.err" >&2; exit 1; }

EPOINT_PUBLIC_KEY=i000000001 EPOINT_PRIVATE_KEY=sandbox_private_key_0000000001 EPOINT_BASE_URL=$BASE \
  "$QUICK" >"$CRATE/quick.out" 2>&1 &
QUICK_PID=$!
for _ in $(seq 200); do grep -q '^transaction ' "$CRATE/quick.out" && break; sleep 0.1; done
TRANSACTION=$(sed -n 's/^transaction //p' "$CRATE/quick.out")
curl -fsS -d outcome=paid "$BASE/_sandbox/complete/$TRANSACTION" >/dev/null
if ! wait $QUICK_PID; then
  echo "readme-check: the Quick start failed on the sandbox:" >&2; cat "$CRATE/quick.out" >&2; exit 1
fi
cat "$CRATE/quick.out"
grep -q "^$TRANSACTION: success$" "$CRATE/quick.out"
grep -q '^refunded 10.00, then the remaining 20.75$' "$CRATE/quick.out"
echo "readme-check: the Quick start ran unchanged on the standalone sandbox (pay, customer paid, status, two refunds)"
