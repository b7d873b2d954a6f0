#!/bin/sh
# cbmon agent: samples /proc on a Linux VM and keeps InfluxDB line protocol in a bounded on-disk ring
# under ~/.cbmon, which the cbmon collector reads over SSH (pull) or which the agent POSTs to a
# collector (push). POSIX sh + awk + df + date + sleep only (Ubuntu, Debian, RHEL-like, Alpine/busybox),
# never needs root. cbmon installs, upgrades and removes it; this file is its whole source.
#
# With overlay=IFACE (the MCIS's WireGuard interface, cbo0), a VM where that interface exists also
# gets an `overlay` line: its traffic under dedicated names and, where `wg show` works (root), the
# age of its peers' latest handshakes.
#
# Commands (cbmon runs them; humans may too):
#   install KEY=VALUE...   install or upgrade from this file (run as ~/.cbmon/agent.sh.new), start
#   uninstall              stop and remove ~/.cbmon
#   status                 KEY=VALUE lines about the installed agent
#   stream [--since SEQ | --last N] [--since-ts NS] [--epoch E] [--follow]
#                          ring lines with seq > SEQ, then (with --follow) new ones as they are written
#   start | stop           start the sampler if it is not running / stop it
#   version
# Exit codes: 0 ok, 2 usage, 10 no procfs, 11 a required tool is missing, 12 push needs curl (or GNU
# wget for plain http: busybox wget takes the token only on its command line, which ps shows),
# 20 not installed.

CBMON_AGENT_VERSION=1.2.0

D="${HOME:?HOME is not set}/.cbmon"
# Like telegraf's HOST_PROC: read another procfs (a container watching its host).
P="${HOST_PROC:-/proc}"
CONF="$D/agent.conf"
RING="$D/ring"

die() {
  code=$1
  shift
  echo "cbmon-agent: $*" >&2
  exit "$code"
}

log() {
  echo "$(date '+%Y-%m-%dT%H:%M:%S') $*"
}

# Quote a value for the config file, which is read with `.`.
quote() {
  printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

load_conf() {
  [ -f "$CONF" ] || die 20 "not installed (no $CONF)"
  # shellcheck source=/dev/null
  . "$CONF"
  : "${CBMON_INTERVAL:=5}" "${CBMON_RING:=3600}" "${CBMON_PUSH_URL:=}" "${CBMON_PUSH_TOKEN:=}" "${CBMON_PUSH_PIN:=}" "${CBMON_OVERLAY_IF:=}"
}

# Fractional sleep is not POSIX, but GNU coreutils and busybox both have it.
frac_sleep_ok() {
  sleep 0.01 2>/dev/null
}

gnu_wget() {
  wget --version 2>/dev/null | head -n 1 | grep -q 'GNU Wget'
}

pid_alive() {
  [ -n "$1" ] || return 1
  kill -0 "$1" 2>/dev/null || return 1
  # A recycled pid must not pass for our sampler.
  if [ -r "/proc/$1/cmdline" ]; then
    grep -q 'agent.sh' "/proc/$1/cmdline" 2>/dev/null || return 1
  fi
  return 0
}

read_pid() {
  pid=
  [ -f "$D/pid" ] && read -r pid <"$D/pid"
  echo "$pid"
}

is_running() {
  pid_alive "$(read_pid)"
}

last_seq() {
  s=
  [ -f "$D/seq" ] && read -r s <"$D/seq"
  case $s in '' | *[!0-9]*) s=0 ;; esac
  echo "$s"
}

# The oldest seq the ring still holds (last+1 when it is empty). Segments are named 1e12+first seq,
# so their names sort like their numbers.
first_seq() {
  for f in "$RING"/1*.lp; do
    [ -e "$f" ] || continue
    b=${f##*/}
    echo $((${b%.lp} - 1000000000000))
    return 0
  done
  echo $(($(last_seq) + 1))
}

start_daemon() {
  is_running && return 0
  mkdir -p "$RING" || die 13 "cannot create $RING"
  # Keep the log bounded: one old generation.
  if [ -f "$D/agent.log" ] && [ "$(wc -c <"$D/agent.log")" -gt 1048576 ]; then
    mv -f "$D/agent.log" "$D/agent.log.1"
  fi
  # Like nohup (which minimal images may lack): HUP stays ignored across exec, so the sampler
  # outlives the SSH session that started it.
  (
    trap '' HUP
    exec sh "$D/agent.sh" run
  ) >>"$D/agent.log" 2>&1 </dev/null &
  echo $! >"$D/pid"
}

stop_daemon() {
  pid=$(read_pid)
  if pid_alive "$pid"; then
    kill "$pid" 2>/dev/null
    n=0
    while pid_alive "$pid" && [ $n -lt 50 ]; do
      if frac_sleep_ok; then sleep 0.1; else sleep 1; fi
      n=$((n + 1))
    done
    pid_alive "$pid" && kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$D/pid"
}

check_host() {
  if [ ! -r "$P/stat" ] || [ ! -r "$P/meminfo" ] || [ ! -r "$P/uptime" ]; then
    die 10 "no procfs at $P (need $P/stat, $P/meminfo, $P/uptime): the agent runs on Linux only"
  fi
  for t in awk df date sleep sed mkdir mv rm grep wc cmp; do
    command -v "$t" >/dev/null 2>&1 || die 11 "required tool '$t' is missing"
  done
}

# ── install / uninstall / status ─────────────────────────────────────────────────────────────────

cmd_install() {
  self=$0
  ns='' mcis='' vm='' csp='' region='' subgroup='' interval=5 ring=3600 push='' pin='' overlay=''
  # The push token comes in the environment (from stdin, via cbmon), never on a command line that
  # other users of the VM could read with ps.
  token=${CBMON_PUSH_TOKEN:-}
  for kv in "$@"; do
    case $kv in
      ns=*) ns=${kv#*=} ;;
      mcis=*) mcis=${kv#*=} ;;
      vm=*) vm=${kv#*=} ;;
      csp=*) csp=${kv#*=} ;;
      region=*) region=${kv#*=} ;;
      subgroup=*) subgroup=${kv#*=} ;;
      interval=*) interval=${kv#*=} ;;
      ring=*) ring=${kv#*=} ;;
      push=*) push=${kv#*=} ;;
      pin=*) pin=${kv#*=} ;;
      overlay=*) overlay=${kv#*=} ;;
      *) die 2 "unknown install setting '$kv'" ;;
    esac
  done
  case $interval in '' | *[!0-9]*) die 2 "interval must be whole seconds, got '$interval'" ;; esac
  case $ring in '' | *[!0-9]*) die 2 "ring must be whole seconds, got '$ring'" ;; esac
  [ "$interval" -ge 1 ] || die 2 "interval must be at least 1 second"
  check_host
  case $pin in '' | sha256//*) ;; *) die 2 "pin must be sha256//BASE64, got '$pin'" ;; esac
  case $overlay in *[!A-Za-z0-9_.-]*) die 2 "overlay must be an interface name, got '$overlay'" ;; esac
  if [ -n "$push" ] && ! command -v curl >/dev/null 2>&1; then
    # wget cannot pin a key, and busybox wget can take the token only on its command line.
    [ -z "$pin" ] || die 12 "push over TLS with a pinned key needs curl on the VM"
    gnu_wget || die 12 "push mode needs curl (or GNU wget, for plain http) on the VM"
  fi

  conf="CBMON_NS=$(quote "$ns")
CBMON_MCIS=$(quote "$mcis")
CBMON_VM=$(quote "$vm")
CBMON_CSP=$(quote "$csp")
CBMON_REGION=$(quote "$region")
CBMON_SUBGROUP=$(quote "$subgroup")
CBMON_INTERVAL=$interval
CBMON_RING=$ring
CBMON_PUSH_URL=$(quote "$push")
CBMON_PUSH_TOKEN=$(quote "$token")
CBMON_PUSH_PIN=$(quote "$pin")
CBMON_OVERLAY_IF=$(quote "$overlay")"

  old_version=
  if [ -f "$D/agent.sh" ]; then
    old_version=$(sed -n 's/^CBMON_AGENT_VERSION=//p' "$D/agent.sh" | head -n 1)
  fi
  old_conf=
  [ -f "$CONF" ] && old_conf=$(cat "$CONF")

  same_script=0
  [ -f "$D/agent.sh" ] && cmp -s "$self" "$D/agent.sh" && same_script=1
  if [ $same_script = 1 ] && [ "$old_conf" = "$conf" ]; then
    rm -f "$self"
    if is_running; then result=unchanged; else
      start_daemon
      result=started
    fi
  else
    if [ -z "$old_version" ]; then result=installed
    elif [ "$old_version" != "$CBMON_AGENT_VERSION" ]; then result=upgraded
    elif [ $same_script = 0 ]; then result=replaced
    else result=reconfigured; fi
    stop_daemon
    mkdir -p "$RING" || die 13 "cannot create $RING"
    printf '%s\n' "$conf" >"$CONF.tmp" && mv -f "$CONF.tmp" "$CONF"
    rm -f "$D/push.curlrc" "$D/push.wgetrc"
    # A new epoch tells collectors that sequence numbers started over.
    [ -f "$D/epoch" ] || echo "$(date +%s)$$" >"$D/epoch"
    # An agent pushing to a different place starts from what the ring holds now.
    [ -f "$D/push.url" ] && [ "$(cat "$D/push.url")" != "$push" ] && rm -f "$D/push.acked"
    printf '%s\n' "$push" >"$D/push.url"
    mv -f "$self" "$D/agent.sh"
    start_daemon
  fi
  echo "result=$result"
  echo "previous=$old_version"
  cmd_status
}

cmd_uninstall() {
  if [ ! -d "$D" ]; then
    echo "result=absent"
    return 0
  fi
  stop_daemon
  rm -rf "$D"
  echo "result=removed"
}

cmd_status() {
  if [ ! -f "$D/agent.sh" ] || [ ! -f "$CONF" ]; then
    echo "installed=0"
    return 0
  fi
  load_conf
  pid=$(read_pid)
  running=0
  pid_alive "$pid" && running=1
  epoch=
  [ -f "$D/epoch" ] && read -r epoch <"$D/epoch"
  acked=
  [ -f "$D/push.acked" ] && read -r acked <"$D/push.acked"
  mode=pull
  [ -n "$CBMON_PUSH_URL" ] && mode=push
  kb=$(du -sk "$RING" 2>/dev/null | awk '{print $1}')
  echo "installed=1"
  echo "version=$(sed -n 's/^CBMON_AGENT_VERSION=//p' "$D/agent.sh" | head -n 1)"
  echo "running=$running"
  echo "pid=$pid"
  echo "epoch=$epoch"
  echo "seq=$(last_seq)"
  echo "first=$(first_seq)"
  echo "interval=$CBMON_INTERVAL"
  echo "ring=$CBMON_RING"
  echo "mode=$mode"
  echo "push_url=$CBMON_PUSH_URL"
  echo "push_acked=$acked"
  echo "ring_kb=${kb:-0}"
}

# ── the sampler ──────────────────────────────────────────────────────────────────────────────────

# One timestamp (ns since the epoch) per interval on stdout, on a steady cadence where date and
# sleep allow it (GNU, busybox); plain `sleep INTERVAL` elsewhere.
cmd_tick() {
  load_conf
  echo $$ >"$D/tick.pid"
  sp=
  trap 'kill "$sp" 2>/dev/null; exit 0' TERM INT
  trap '' HUP
  step=$((CBMON_INTERVAL * 1000000000))
  frac=0
  frac_sleep_ok && frac=1
  next=0
  while :; do
    t=$(date +%s%N 2>/dev/null)
    ns=1
    case $t in '' | *[!0-9]*)
      t="$(date +%s)000000000"
      ns=0
      ;;
    esac
    echo "$t" || exit 0
    if [ $ns = 1 ] && [ $frac = 1 ]; then
      if [ "$next" = 0 ]; then next=$((t + step)); else next=$((next + step)); fi
      d=$(((next - t) / 1000000))
      # Late by more than a whole interval (a stalled VM): start a new cadence instead of bursting.
      if [ "$d" -le 0 ] || [ "$d" -gt $((CBMON_INTERVAL * 1000)) ]; then
        next=$((t + step))
        d=$((CBMON_INTERVAL * 1000))
      fi
      sleep "$((d / 1000)).$(printf '%03d' $((d % 1000)))" &
    else
      sleep "$CBMON_INTERVAL" &
    fi
    sp=$!
    wait "$sp"
  done
}

# Reads one timestamp per line, samples procfs and df, writes one sample (several lines sharing a
# seq and a timestamp) to the ring. Keeps the previous counters in memory to compute rates.
# shellcheck disable=SC2016 # an awk program: its $fields are awk's, not the shell's
SAMPLER_AWK='
function rd(f,   l) { l = ""; if ((getline l < f) <= 0) l = ""; close(f); return l }
function esc(s) { gsub(/[ ,=]/, "\\\\&", s); return s }
function pct(a, b) { return b > 0 ? 100 * a / b : 0 }
function pos(x) { return x > 0 ? x : 0 }
function unoct(s,   out, i, c) {
  out = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (c == "\\" && substr(s, i + 1, 3) ~ /^[0-7][0-7][0-7]$/) {
      out = out sprintf("%c", (substr(s, i + 1, 1) * 64) + (substr(s, i + 2, 1) * 8) + substr(s, i + 3, 1))
      i += 3
    } else out = out c
  }
  return out
}
function sq(s) { gsub(/\047/, "\047\\\047\047", s); return "\047" s "\047" }
function pseudo(t) {
  return t ~ /^(proc|sysfs|devtmpfs|devpts|tmpfs|cgroup2?|securityfs|pstore|bpf|debugfs|tracefs|configfs|fusectl|mqueue|hugetlbfs|autofs|rpc_pipefs|nsfs|overlay|squashfs|binfmt_misc|efivarfs|ramfs|selinuxfs|nfs4?|cifs|smb3|fuse\..*)$/
}
# Local, real file systems (and / whatever it is), one mount per device.
function scan_mounts(   f, l, a, dev, mnt, seen, n) {
  f = P "/mounts"; nmounts = 0; dfargs = ""
  while ((getline l < f) > 0) {
    split(l, a, " "); dev = a[1]; mnt = unoct(a[2])
    if (mnt != "/" && (pseudo(a[3]) || dev !~ /^\//)) continue
    if (dev in seen) continue
    seen[dev] = 1
    dfargs = dfargs " " sq(mnt)
  }
  close(f)
}
function emit(line) { print seq " " line " " ts >> segpath }
# `wg show IF latest-handshakes` (one `KEY EPOCH` line per peer, 0 = never) as extra fields: peers,
# peers with a handshake in the last 180 s (WireGuard drops a session older than that), and the
# oldest handshake age. Empty when wg cannot read the interface (not root): then it is tried
# again only 60 samples later, not at every one.
function handshakes(now,   cmd, l, a, ok, peers, up, age, oldest) {
  if (!WG || ticks < wgretry) return ""
  cmd = "wg show " sq(OVL) " latest-handshakes 2>/dev/null && echo cbmon-ok"
  ok = 0; peers = 0; up = 0; oldest = -1
  while ((cmd | getline l) > 0) {
    if (l == "cbmon-ok") { ok = 1; continue }
    if (split(l, a, /[ \t]+/) < 2 || a[2] !~ /^[0-9]+$/) continue
    peers++
    if (a[2] + 0 == 0) continue
    age = pos(now - a[2])
    if (age < 180) up++
    if (age > oldest) oldest = age
  }
  close(cmd)
  if (!ok) { wgretry = ticks + 60; return "" }
  return sprintf(",overlay_peers=%d,overlay_peers_up=%d", peers, up) (oldest >= 0 ? sprintf(",overlay_handshake_age_seconds=%.0f", oldest) : "")
}
function open_segment() {
  segname = sprintf("%.0f.lp", 1000000000000 + seq)
  segpath = R "/" segname
  segs[nsegs++] = segname; segstart[segname] = seq
  insegment = 0
}
function prune(   i, k) {
  # Drop the oldest segment while the newer ones still hold at least RINGN samples.
  while (nsegs - first > 1 && seq - segstart[segs[first + 1]] + 1 >= RINGN) {
    system("rm -f " sq(R "/" segs[first]))
    delete segstart[segs[first]]; delete segs[first]; first++
  }
}
function sample(   l, a, n, i, k, up, dt, tot, cmd, dev, mnt, rest, fs, nm) {
  up = rd(P "/uptime") + 0
  # cpu
  split(rd(P "/stat"), a, " ")
  for (i = 2; i <= 9; i++) cpu[i] = a[i] + 0
  # memory (kB)
  delete mem
  f = P "/meminfo"
  while ((getline l < f) > 0) { split(l, a, /[: ]+/); mem[a[1]] = a[2] * 1024 }
  close(f)
  # load and uptime
  split(rd(P "/loadavg"), load, " ")
  # disk I/O counters
  delete dio; ndio = 0
  f = P "/diskstats"
  while ((getline l < f) > 0) {
    n = split(l, a, " ")
    if (n < 14 || a[3] ~ /^(loop|ram|zram|fd|sr)[0-9]/) continue
    dio[a[3]] = a[4] " " a[6] " " a[8] " " a[10]
  }
  close(f)
  # network counters
  delete nio
  f = P "/net/dev"
  while ((getline l < f) > 0) {
    if (index(l, ":") == 0) continue
    nm = substr(l, 1, index(l, ":") - 1); gsub(/ /, "", nm)
    if (nm == "lo") continue
    rest = substr(l, index(l, ":") + 1)
    split(rest, a, " ")
    nio[nm] = a[1] " " a[2] " " a[3] " " a[4] " " a[9] " " a[10] " " a[11] " " a[12]
  }
  close(f)

  dt = up - pup
  if (have && dt > 0) {
    seq++
    if (insegment >= SEG || segpath == "") open_segment()
    insegment++
    tot = 0
    for (i = 2; i <= 9; i++) { d[i] = pos(cpu[i] - pcpu[i]); tot += d[i] }
    if (tot > 0)
      emit(sprintf("cpu,%s cpu_utilization=%.2f,cpu_user=%.2f,cpu_nice=%.2f,cpu_system=%.2f,cpu_idle=%.2f,cpu_iowait=%.2f,cpu_irq=%.2f,cpu_softirq=%.2f,cpu_steal=%.2f,seq=%.0fi",
        TAGS, pct(tot - d[5] - d[6], tot), pct(d[2], tot), pct(d[3], tot), pct(d[4], tot), pct(d[5], tot),
        pct(d[6], tot), pct(d[7], tot), pct(d[8], tot), pct(d[9], tot), seq))
    if (mem["MemTotal"] > 0) {
      cached = mem["Cached"] + mem["SReclaimable"]
      avail = ("MemAvailable" in mem) ? mem["MemAvailable"] : mem["MemFree"] + mem["Buffers"] + cached
      used = mem["MemTotal"] - mem["MemFree"] - mem["Buffers"] - cached
      if (used < 0) used = mem["MemTotal"] - mem["MemFree"]
      emit(sprintf("mem,%s mem_utilization=%.2f,mem_total=%.0f,mem_used=%.0f,mem_free=%.0f,mem_available=%.0f,mem_buffers=%.0f,mem_cached=%.0f,seq=%.0fi",
        TAGS, pct(used, mem["MemTotal"]), mem["MemTotal"], used, mem["MemFree"], avail, mem["Buffers"], cached, seq))
    }
    if (ticks % 60 == 0) scan_mounts()
    if (dfargs != "") {
      cmd = "df -Pk" dfargs " 2>/dev/null"
      while ((cmd | getline l) > 0) {
        n = split(l, a, " ")
        if (n < 6 || a[2] !~ /^[0-9]+$/) continue
        mnt = a[6]; for (i = 7; i <= n; i++) mnt = mnt " " a[i]
        emit(sprintf("disk,%s,mount=%s,device=%s disk_utilization=%.2f,disk_total=%.0f,disk_used=%.0f,disk_free=%.0f,seq=%.0fi",
          TAGS, esc(mnt), esc(a[1]), pct(a[3], a[3] + a[4]), a[2] * 1024, a[3] * 1024, a[4] * 1024, seq))
      }
      close(cmd)
    }
    for (dev in dio) {
      if (!(dev in pdio)) continue
      split(dio[dev], a, " "); split(pdio[dev], b, " ")
      emit(sprintf("diskio,%s,device=%s kb_read=%.2f,kb_written=%.2f,ops_read=%.2f,ops_write=%.2f,seq=%.0fi",
        TAGS, esc(dev), pos(a[2] - b[2]) / 2 / dt, pos(a[4] - b[4]) / 2 / dt, pos(a[1] - b[1]) / dt, pos(a[3] - b[3]) / dt, seq))
    }
    for (nm in nio) {
      if (!(nm in pnio)) continue
      split(nio[nm], a, " "); split(pnio[nm], b, " ")
      emit(sprintf("net,%s,interface=%s bytes_in=%.2f,bytes_out=%.2f,pkts_in=%.2f,pkts_out=%.2f,err_in=%.2f,err_out=%.2f,drop_in=%.2f,drop_out=%.2f,seq=%.0fi",
        TAGS, esc(nm), pos(a[1] - b[1]) / dt, pos(a[5] - b[5]) / dt, pos(a[2] - b[2]) / dt, pos(a[6] - b[6]) / dt,
        pos(a[3] - b[3]) / dt, pos(a[7] - b[7]) / dt, pos(a[4] - b[4]) / dt, pos(a[8] - b[8]) / dt, seq))
    }
    # The overlay interface: its traffic again, under names of its own.
    if (OVL != "" && (OVL in nio) && (OVL in pnio)) {
      split(nio[OVL], a, " "); split(pnio[OVL], b, " ")
      emit(sprintf("overlay,%s,interface=%s overlay_rx_bytes=%.2f,overlay_tx_bytes=%.2f,overlay_rx_packets=%.2f,overlay_tx_packets=%.2f%s,seq=%.0fi",
        TAGS, esc(OVL), pos(a[1] - b[1]) / dt, pos(a[5] - b[5]) / dt, pos(a[2] - b[2]) / dt, pos(a[6] - b[6]) / dt,
        handshakes(substr(ts, 1, length(ts) - 9) + 0), seq))
    }
    emit(sprintf("system,%s load1=%.2f,load5=%.2f,load15=%.2f,uptime=%.0f,seq=%.0fi", TAGS, load[1], load[2], load[3], up, seq))
    close(segpath)
    print seq > SEQF; close(SEQF)
    prune()
  } else if (ticks % 60 == 0) scan_mounts()
  ticks++
  # Remember counters for the next rate.
  pup = up; have = 1
  for (i = 2; i <= 9; i++) pcpu[i] = cpu[i]
  delete pdio; for (k in dio) pdio[k] = dio[k]
  delete pnio; for (k in nio) pnio[k] = nio[k]
}
BEGIN {
  seq = SEQ0 + 0; nsegs = 0; first = 0; segpath = ""; ticks = 0; have = 0; wgretry = 0
  cmd = "ls " sq(R)
  while ((cmd | getline l) > 0) if (l ~ /^1[0-9]+\.lp$/) { segs[nsegs++] = l; segstart[l] = substr(l, 1, length(l) - 3) - 1000000000000 }
  close(cmd)
}
/^[0-9]+$/ { ts = $1; sample() }
'

cmd_run() {
  load_conf
  trap '' HUP
  spid='' ppid=''
  trap 'kill $spid $ppid "$(cat "$D/tick.pid" 2>/dev/null)" 2>/dev/null; exit 0' TERM INT
  mkdir -p "$RING"
  log "cbmon agent $CBMON_AGENT_VERSION sampling every ${CBMON_INTERVAL}s (pid $$)"
  tags="ns=$CBMON_NS,mcis=$CBMON_MCIS,vm=$CBMON_VM,csp=$CBMON_CSP,region=$CBMON_REGION,subgroup=$CBMON_SUBGROUP"
  ringn=$(((CBMON_RING + CBMON_INTERVAL - 1) / CBMON_INTERVAL))
  [ "$ringn" -ge 1 ] || ringn=1
  if [ -n "$CBMON_PUSH_URL" ]; then
    push_loop &
    ppid=$!
  fi
  # mawk (Debian, Ubuntu) fills whole blocks from a pipe unless told to read it line by line.
  interactive=''
  awk -W version 2>/dev/null | grep -q mawk && interactive='-W interactive'
  wg=0
  [ -n "$CBMON_OVERLAY_IF" ] && command -v wg >/dev/null 2>&1 && wg=1
  # shellcheck disable=SC2086 # $interactive is empty or two words on purpose
  sh "$D/agent.sh" tick | awk $interactive -v P="$P" -v R="$RING" -v SEQF="$D/seq" -v SEQ0="$(last_seq)" \
    -v TAGS="$tags" -v SEG=20 -v RINGN="$ringn" -v OVL="$CBMON_OVERLAY_IF" -v WG="$wg" "$SAMPLER_AWK" &
  spid=$!
  wait "$spid"
  log "sampler ended (status $?)"
  kill $ppid "$(cat "$D/tick.pid" 2>/dev/null)" 2>/dev/null
}

# ── reading the ring ─────────────────────────────────────────────────────────────────────────────

# Prints ring lines with since < seq <= upto (and timestamp >= SINCE_TS), without the seq prefix.
emit_range() {
  since=$1 upto=$2
  files=
  prev=
  for f in "$RING"/1*.lp; do
    [ -e "$f" ] || continue
    b=${f##*/}
    start=$((${b%.lp} - 1000000000000))
    # A segment that starts after `since` may hold wanted lines, and so may the one before it.
    if [ "$start" -gt "$since" ]; then
      [ -n "$prev" ] && files="$files $prev"
      prev=
      files="$files $f"
    else
      prev=$f
    fi
  done
  [ -n "$prev" ] && files="$files $prev"
  [ -n "$files" ] || return 0
  # shellcheck disable=SC2086 # $files is a list of our own paths without spaces
  cat $files 2>/dev/null | awk -v s="$since" -v u="$upto" -v t="${SINCE_TS:-0}" \
    '$1 > s+0 && $1 <= u+0 && $NF >= t+0 { print substr($0, index($0, " ") + 1) }'
}

cmd_stream() {
  since='' last='' follow=0 want_epoch=''
  SINCE_TS=0
  while [ $# -gt 0 ]; do
    case $1 in
      --since) since=$2; shift ;;
      --last) last=$2; shift ;;
      --since-ts) SINCE_TS=$2; shift ;;
      --epoch) want_epoch=$2; shift ;;
      --follow) follow=1 ;;
      *) die 2 "stream: unknown option '$1'" ;;
    esac
    shift
  done
  load_conf
  start_daemon
  epoch=
  [ -f "$D/epoch" ] && read -r epoch <"$D/epoch"
  cur=$(last_seq)
  reset=0
  if [ -n "$last" ]; then
    since=$((cur - last))
  elif [ -z "$since" ]; then
    since=$cur
  elif [ -n "$want_epoch" ] && [ "$want_epoch" != "$epoch" ]; then
    # The sequence started over (the agent was removed and installed again): send the whole ring.
    since=0
    reset=1
  fi
  [ "$since" -ge 0 ] 2>/dev/null || since=0
  if [ "$since" -gt "$cur" ]; then
    # Ahead of the agent: its state was lost (home restored from an old image). Start over.
    since=0
    reset=1
  fi
  echo "#cbmon hello version=$CBMON_AGENT_VERSION epoch=$epoch first=$(first_seq) last=$cur since=$since reset=$reset interval=$CBMON_INTERVAL pid=$(read_pid)"
  emit_range "$since" "$cur"
  echo "#cbmon mark seq=$cur" || exit 0
  [ $follow = 1 ] || return 0
  since=$cur
  # Follow the sampler's cadence instead of polling fast: after a sample, sleep a little less than
  # an interval, then look every `nap` until the next one is there. Most samples then cost one
  # sleep and one awk, and are sent within about `nap` of being written.
  if frac_sleep_ok; then
    nap=0.2
    naps_per_s=5
    after=$((CBMON_INTERVAL - 1)).9
  else
    nap=1
    naps_per_s=1
    after=$CBMON_INTERVAL
  fi
  wait_s=$nap
  idle=0
  looks=0
  while :; do
    sleep "$wait_s"
    [ -d "$D" ] || die 20 "agent was uninstalled"
    cur=
    read -r cur <"$D/seq" 2>/dev/null
    case $cur in '' | *[!0-9]*) cur=$since ;; esac
    if [ "$cur" -gt "$since" ]; then
      emit_range "$since" "$cur"
      echo "#cbmon mark seq=$cur" || exit 0
      since=$cur
      idle=0
      wait_s=$after
    else
      wait_s=$nap
      idle=$((idle + 1))
      # A heartbeat every ~5 s lets the collector tell a quiet agent from a dead connection.
      if [ $idle -ge $((5 * naps_per_s)) ]; then
        echo "#cbmon mark seq=$since" || exit 0
        idle=0
      fi
    fi
    looks=$((looks + 1))
    if [ $((looks % 50)) = 0 ] && ! is_running; then
      echo "#cbmon restarted" || exit 0
      start_daemon
    fi
  done
}

# ── push ─────────────────────────────────────────────────────────────────────────────────────────

# POSTs the file $1; prints the HTTP status (000 when there was no answer). The token goes in a
# 0600 config file that curl (or GNU wget) reads, so it never shows in ps. With a pin, curl checks
# the collector's key against it: that, not a CA, is what authenticates a self-signed collector.
http_post() {
  if command -v curl >/dev/null 2>&1; then
    if [ ! -f "$D/push.curlrc" ]; then
      (
        umask 077
        printf 'header = "Authorization: Token %s"\n' "$CBMON_PUSH_TOKEN" >"$D/push.curlrc"
        if [ -n "$CBMON_PUSH_PIN" ]; then
          printf 'pinnedpubkey = "%s"\ninsecure\n' "$CBMON_PUSH_PIN" >>"$D/push.curlrc"
        fi
      )
    fi
    curl -sS -o /dev/null -w '%{http_code}' -m 15 -X POST -K "$D/push.curlrc" \
      -H 'Content-Type: text/plain; charset=utf-8' \
      --data-binary "@$1" "$CBMON_PUSH_URL" 2>>"$D/agent.log" || true
  else
    if [ -n "$CBMON_PUSH_PIN" ] || ! gnu_wget; then
      # install refuses this; an agent whose curl went away afterwards pushes nothing rather than leak.
      printf '000'
      return 0
    fi
    if [ ! -f "$D/push.wgetrc" ]; then
      (
        umask 077
        printf 'header = Authorization: Token %s\n' "$CBMON_PUSH_TOKEN" >"$D/push.wgetrc"
      )
    fi
    out=$(wget --config="$D/push.wgetrc" -q -S -O /dev/null \
      --header 'Content-Type: text/plain; charset=utf-8' --post-file="$1" "$CBMON_PUSH_URL" 2>&1)
    code=$(printf '%s\n' "$out" | sed -n 's/^ *HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' | tail -n 1)
    printf '%s' "${code:-000}"
  fi
}

push_loop() {
  SINCE_TS=0
  acked=
  [ -f "$D/push.acked" ] && read -r acked <"$D/push.acked"
  case $acked in '' | *[!0-9]*) acked=0 ;; esac
  wait_s=$CBMON_INTERVAL
  while :; do
    sleep "$wait_s"
    cur=$(last_seq)
    [ "$cur" -gt "$acked" ] || continue
    upto=$cur
    # Catch up in bounded batches after an outage.
    [ $((upto - acked)) -gt 300 ] && upto=$((acked + 300))
    emit_range "$acked" "$upto" >"$D/push.batch"
    code=$(http_post "$D/push.batch")
    case $code in
      2??)
        acked=$upto
        echo "$acked" >"$D/push.acked"
        wait_s=$CBMON_INTERVAL
        ;;
      4??)
        if [ "$code" = 401 ] || [ "$code" = 403 ] || [ "$code" = 408 ] || [ "$code" = 429 ]; then
          log "push: HTTP $code, will retry"
          [ "$wait_s" -lt 60 ] && wait_s=$((wait_s * 2))
        else
          # The collector will never take this batch: skip it rather than block the ring forever.
          log "push: HTTP $code for seq $((acked + 1))..$upto, dropped"
          acked=$upto
          echo "$acked" >"$D/push.acked"
        fi
        ;;
      *)
        log "push: no answer from $CBMON_PUSH_URL (HTTP $code), will retry"
        [ "$wait_s" -lt 60 ] && wait_s=$((wait_s * 2))
        ;;
    esac
  done
}

# ── main ─────────────────────────────────────────────────────────────────────────────────────────

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
  install) cmd_install "$@" ;;
  uninstall) cmd_uninstall ;;
  status) cmd_status ;;
  stream) cmd_stream "$@" ;;
  start)
    load_conf
    start_daemon
    cmd_status
    ;;
  stop)
    stop_daemon
    echo "result=stopped"
    ;;
  run) cmd_run ;;
  tick) cmd_tick ;;
  version) echo "$CBMON_AGENT_VERSION" ;;
  *) die 2 "usage: agent.sh install|uninstall|status|stream|start|stop|version" ;;
esac
