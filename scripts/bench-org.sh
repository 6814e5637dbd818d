#!/usr/bin/env bash
# Organization-scan benchmark against the moto emulator: an organization of N member accounts
# (default 50) scanned in 2 regions at --concurrency 16 and at --concurrency 1; prints wall time,
# peak RSS and API calls per account. Usage: scripts/bench-org.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/warden/target}"
members="${1:-50}"
# Built with the benchmarks (same features, so no second build of the SDK).
cargo bench --no-run --quiet 2>/dev/null
bin="$CARGO_TARGET_DIR/release/warden"

source scripts/moto.sh
eval "$("$WARDEN_VENV_PY" scripts/bench_org_setup.py "$MOTO_URL" "$members")"
out="$(mktemp -d)"
for c in 16 1; do
  /usr/bin/time -f "%e %M" -o "$out/time-$c" "$bin" scan --org --quiet --regions us-east-1,eu-west-1 \
    --endpoint-url "$MOTO_URL" --concurrency "$c" --output "$out/org-$c.json" || true
  read -r wall rss < <(tail -n 1 "$out/time-$c")
  calls="$("$WARDEN_VENV_PY" -c "import json,sys; r=json.load(open('$out/org-$c.json')); n=len(r['accounts']); print(n, r['run']['api_calls_total'], round(r['run']['api_calls_total']/max(n,1),1))")"
  read -r accounts total per <<<"$calls"
  echo "concurrency $c: $accounts accounts x 2 regions in ${wall}s, peak RSS $((rss / 1024)) MB, $total API calls ($per per account)"
done
rm -rf "$out"
