#!/usr/bin/env bash
# CPU or allocation profile of Switchyard's hot path: the overhead bench's fake upstream and wrk on
# core 1, Switchyard alone on core 0 under `node --cpu-prof` (or, with PROFILE=alloc, V8's sampling
# heap profiler over every allocation, garbage included: allocation-sampler.mjs), the bench's read mix
# at saturation, then the functions with the most self time (or bytes allocated). Everything on
# 127.0.0.1, bounded in time; children stopped by pid.
# Usage (after npm run build): [PROFILE=cpu|alloc] bench/profile/hot-path.sh [SECONDS=10] [CONNECTIONS=32] [OUT=/tmp/switchyard-profile]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN=${1:-10}
CONNECTIONS=${2:-32}
OUT=${3:-/tmp/switchyard-profile}
mkdir -p "$OUT"
PROFILE=${PROFILE:-cpu}
rm -f "$OUT"/*.cpuprofile "$OUT"/*.heapprofile
if [ "$PROFILE" = alloc ]; then
  export ALLOCATION_PROFILE="$OUT/allocation.heapprofile"
  FLAGS=(--import ./bench/profile/allocation-sampler.mjs)
else
  FLAGS=(--cpu-prof --cpu-prof-dir="$OUT")
fi

taskset -c 1 node dist/bench/overhead/upstream-main.js > "$OUT/upstream.log" &
UPSTREAM=$!
trap 'kill $UPSTREAM ${SWITCHYARD:-} 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$OUT/upstream.log" && break; sleep 0.1; done
PORT=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$OUT/upstream.log" | head -1)

cat > "$OUT/switchyard.yaml" <<YAML
server: { host: 127.0.0.1, port: 0 }
logging: { level: warn }
cache: { enabled: false }
chains:
  - name: ethereum
    chainId: 1
    upstreams:
      - { name: upstream, url: "http://127.0.0.1:$PORT/", cloud: local, region: local, provider: fake }
YAML
# The flags the installed command runs with (its #! line), plus the profiler.
taskset -c 0 node --max-semi-space-size=8 "${FLAGS[@]}" \
  dist/src/main.js --config "$OUT/switchyard.yaml" > "$OUT/switchyard.log" 2>&1 &
SWITCHYARD=$!
sleep 1.5
SY_PORT=$(ss -ltnp 2>/dev/null | grep "pid=$SWITCHYARD," | sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' | head -1)

node -e "import('./dist/bench/overhead/wrk.js').then(m => process.stdout.write(m.wrkScript(10000000)))" > "$OUT/mix.lua"
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d1s -s "$OUT/mix.lua" "http://127.0.0.1:$SY_PORT/" > /dev/null  # warm-up
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_TO_RUN}s" --timeout 5s -s "$OUT/mix.lua" "http://127.0.0.1:$SY_PORT/" | tail -3
if [ "$PROFILE" = alloc ]; then
  kill -USR2 $SWITCHYARD
  for _ in $(seq 100); do [ -s "$ALLOCATION_PROFILE" ] && break; sleep 0.1; done
fi
kill -TERM $SWITCHYARD
wait $SWITCHYARD || true
SWITCHYARD=

# Self time (or bytes allocated) per function and file:line, the top 40.
node -e '
const fs = require("node:fs");
const dir = process.argv[1];
const file = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile") || f.endsWith(".heapprofile"));
const p = JSON.parse(fs.readFileSync(`${dir}/${file}`, "utf8"));
const self = new Map(); let total = 0;
const keyOf = (f) => `${f.functionName || "(anonymous)"} ${f.url.replace(/^.*\/(node_modules|dist)\//, "$1/")}:${f.lineNumber + 1}`;
const add = (key, v) => { self.set(key, (self.get(key) ?? 0) + v); total += v; };
if (p.head) {
  // Heap profile: a tree of call frames, each with the bytes sampled as allocated right there.
  const walk = (n) => { add(keyOf(n.callFrame), n.selfSize); for (const c of n.children) walk(c); };
  walk(p.head);
} else {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  p.samples.forEach((id, i) => add(keyOf(byId.get(id).callFrame), p.timeDeltas[i] ?? 0));
}
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 40);
for (const [k, v] of top) console.log(`${(100 * v / total).toFixed(1).padStart(5)}%  ${k}`);
console.log(`profile: ${dir}/${file}`);
' "$OUT"
