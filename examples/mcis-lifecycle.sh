#!/usr/bin/env bash
# Drives an MCIS through its life with cbadm's --json output, the way a CI job would.
# Usage: examples/mcis-lifecycle.sh MANIFEST  (needs its connections; on the twin: cbadm twin up && cbadm twin connect)
set -euo pipefail
manifest=${1:?usage: $0 MANIFEST}
cbadm=${CBADM:-cbadm}

# json EXPR: evaluates a JavaScript expression over the JSON on stdin (bound to `j`); jq-free on purpose.
json() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const j=JSON.parse(s);const v=($1);console.log(typeof v==='string'?v:JSON.stringify(v))})"; }

name=$($cbadm mcis create -f "$manifest" --dry-run --json | json 'j.plan.name')
echo "creating MCIS $name"
$cbadm mcis create -f "$manifest" --json > /tmp/cb-create.$$.json
echo "status: $(json 'j.mcis.status' < /tmp/cb-create.$$.json)"

echo "public IPs:"
$cbadm mcis get "$name" --json | json 'j.vms.map(v=>v.name+" "+v.publicIp).join("\n")'

failed=$($cbadm mcis exec "$name" --json -- 'echo ok-from-$(hostname)' | json 'j.filter(r=>r.exitCode!==0).length')
echo "exec failures: $failed"
[ "$failed" = 0 ]

$cbadm mcis suspend "$name" --json | json 'j.mcis.status'
$cbadm mcis resume "$name" --json | json 'j.mcis.status'
$cbadm mcis delete "$name" --force --json | json 'j.deleted'
rm -f /tmp/cb-create.$$.json
echo "done"
