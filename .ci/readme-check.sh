#!/usr/bin/env bash
# The README's code, built as a user builds it: a separate crate with exactly the dependencies
# the README lists (doc tests cannot catch a missing dependency: they see our dev-dependencies).
#
#   1. "Quick start": its ```toml block becomes the crate's [dependencies], its ```rust block
#      src/main.rs; `cargo build`.
#   2. "Testing your own code with the sandbox": its ```toml block is added as
#      [dev-dependencies], its ```rust block becomes tests/readme_sandbox.rs; `cargo test` runs
#      it against the embedded sandbox (loopback only).
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
    return toml

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
print((crate / "Cargo.toml").read_text())
PY

cp Cargo.lock "$CRATE/"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
(cd "$CRATE" && cargo build --quiet && cargo test --quiet)
echo "readme-check: the Quick start builds and the sandbox test passes as a separate crate"

# 3. The Quick start runs as the README says: against the standalone sandbox with the sandbox
#    merchant's keys, the customer's payment made with `curl … /_sandbox/complete/ID`.
QUICK="$CARGO_TARGET_DIR/debug/readme-check"
cargo build --quiet --features cli --bin epoint
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
