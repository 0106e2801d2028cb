# shellcheck shell=bash
# Origin servers for bench/pull.sh, all on 127.0.0.1 and free ports, each a
# child of the benchmark (started in the foreground, killed by pid at exit).
# The recipes are those of test/helpers/servers/ and TEST-SERVERS.md:
# nginx (sendfile), OpenSSH sshd (root with a generated key, internal-sftp),
# an rsync daemon (read-only module) and Ceph RGW (1 mon + 1 memstore OSD +
# RGW, cephx, user stalkAK/stalkSK). Nothing under /etc is read or written;
# /run/sshd is created when missing (sshd's privilege separation).
#
# Source it, set SRV (a folder for their files), ORIGIN (the folder they
# serve) and LOGS; it uses log/die from the caller. Each start_* sets the
# variables named in its comment and appends its pid to SERVER_PIDS.

SERVER_PIDS=()

free_port() { # BASE: the first port >= BASE nobody listens on
  local p=$1
  while ss -ltnH "( sport = :$p )" | grep -q .; do p=$((p + 1)); done
  echo "$p"
}
wait_port() { # PORT PID: until something listens on PORT (30 s), or PID died
  local i
  for i in $(seq 1 300); do
    ss -ltnH "( sport = :$1 )" | grep -q . && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# nginx: HTTP_PORT, HTTP_URL. Plain autoindex (HTML): rclone's http remote parses it.
start_nginx() {
  local d=$SRV/nginx pid
  mkdir -p "$d/tmp"
  HTTP_PORT=$(free_port 28080)
  cat >"$d/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 256; }
http {
  types { text/html html; }
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  server {
    listen 127.0.0.1:$HTTP_PORT;
    root $ORIGIN;
    if_modified_since before;
    autoindex on;
  }
}
EOF
  nginx -p "$d/" -e "$d/error.log" -c "$d/nginx.conf" >>"$LOGS/nginx.out" 2>&1 &
  pid=$!; SERVER_PIDS+=("$pid")
  wait_port "$HTTP_PORT" "$pid" || { cat "$d/error.log" >&2; die "nginx did not start"; }
  HTTP_URL=http://127.0.0.1:$HTTP_PORT
  log "nginx $(nginx -v 2>&1 | sed 's/.*\///') on $HTTP_URL (pid $pid)"
}

# sshd: SSH_PORT, SSH_DIR (id_ed25519, known_hosts, ssh_config with Host "origin").
start_sshd() {
  local d=$SRV/ssh sshd pid
  sshd=$(command -v sshd || echo /usr/sbin/sshd)
  SSH_DIR=$d
  mkdir -p "$d"; chmod 700 "$d"
  [ -f "$d/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C stalk-bench -f "$d/host_ed25519"
  [ -f "$d/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C stalk-bench -f "$d/id_ed25519"
  cp "$d/id_ed25519.pub" "$d/authorized_keys"
  SSH_PORT=$(free_port 22122)
  cat >"$d/sshd_config" <<EOF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $d/host_ed25519
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
UseDNS no
PrintMotd no
LogLevel ERROR
MaxStartups 100
MaxSessions 100
Subsystem sftp internal-sftp
EOF
  echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$d/host_ed25519.pub")" >"$d/known_hosts"
  cat >"$d/ssh_config" <<EOF
Host origin
  HostName 127.0.0.1
  Port $SSH_PORT
  User root
  IdentityFile $d/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $d/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
  LogLevel ERROR
EOF
  mkdir -p -m 0755 /run/sshd
  "$sshd" -t -f "$d/sshd_config" || die "sshd refuses its config $d/sshd_config"
  "$sshd" -D -e -f "$d/sshd_config" >>"$LOGS/sshd.log" 2>&1 &
  pid=$!; SERVER_PIDS+=("$pid")
  wait_port "$SSH_PORT" "$pid" || { cat "$LOGS/sshd.log" >&2; die "sshd did not start"; }
  ssh -F "$d/ssh_config" origin true || die "ssh login to the benchmark sshd failed"
  log "sshd on 127.0.0.1:$SSH_PORT (pid $pid); OpenSSH client cipher: $(ssh -v -F "$d/ssh_config" origin true 2>&1 | grep -o 'cipher: [^ ]*' | head -1 | cut -d' ' -f2)"
}

# rsync daemon: RSYNCD_PORT, RSYNCD_URL (module "origin" = ORIGIN, read only).
start_rsyncd() {
  local d=$SRV/rsyncd pid
  mkdir -p "$d"
  RSYNCD_PORT=$(free_port 28873)
  cat >"$d/rsyncd.conf" <<EOF
lock file = $d/rsyncd.lock
log file = $d/rsyncd.log
address = 127.0.0.1
port = $RSYNCD_PORT
use chroot = no
uid = root
gid = root
max connections = 20

[origin]
  path = $ORIGIN
  read only = yes
EOF
  rsync --daemon --no-detach --config="$d/rsyncd.conf" >>"$LOGS/rsyncd.out" 2>&1 &
  pid=$!; SERVER_PIDS+=("$pid")
  wait_port "$RSYNCD_PORT" "$pid" || { cat "$LOGS/rsyncd.out" >&2; die "the rsync daemon did not start"; }
  RSYNCD_URL=rsync://127.0.0.1:$RSYNCD_PORT
  log "rsync daemon on $RSYNCD_URL (pid $pid)"
}

# Ceph RGW: S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY. ~13 s, ~0.7 GB (memstore keeps objects in RAM).
start_ceph() {
  local c=$SRV/ceph fsid osd_uuid mon_port rgw_port pid i
  rm -rf "$c"; mkdir -p "$c"/{run,log,mon.a,osd.0,crash,rgw.a}
  mon_port=$(free_port 23300); rgw_port=$(free_port 28082)
  fsid=$(cat /proc/sys/kernel/random/uuid); osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  cat >"$c/ceph.conf" <<EOF
[global]
fsid = $fsid
mon initial members = a
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
public network = 127.0.0.0/8
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $c/keyring
run dir = $c/run
admin socket = $c/run/\$name.asok
pid file = $c/run/\$name.pid
log file = $c/log/\$name.log
crash dir = $c/crash
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd objectstore = memstore
memstore device bytes = 4294967296
osd data = $c/osd.\$id
mon data = $c/mon.\$id
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw data = $c/rgw.a
EOF
  export CEPH_CONF=$c/ceph.conf
  {
    ceph-authtool --create-keyring "$c/keyring" --gen-key -n mon. --cap mon 'allow *' &&
    ceph-authtool "$c/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' &&
    ceph-authtool "$c/keyring" --gen-key -n osd.0 --cap mon 'allow profile osd' --cap osd 'allow *' --cap mgr 'allow profile osd' &&
    monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$c/monmap" &&
    ceph-mon --mkfs -i a --monmap "$c/monmap" --keyring "$c/keyring"
  } >>"$LOGS/ceph-setup.log" 2>&1 || die "ceph mon setup failed (see $LOGS/ceph-setup.log)"
  ceph-mon -f -i a >>"$LOGS/ceph-mon.out" 2>&1 & pid=$!; SERVER_PIDS+=("$pid"); disown "$pid"
  printf '{"cephx_secret": "%s"}' "$(ceph-authtool "$c/keyring" -p -n osd.0)" >"$c/osd-secret.json"
  ceph --connect-timeout 30 osd new "$osd_uuid" -i "$c/osd-secret.json" >>"$LOGS/ceph-setup.log" 2>&1 || die "ceph osd new failed"
  ceph-osd -i 0 --mkfs --osd-uuid "$osd_uuid" >>"$LOGS/ceph-setup.log" 2>&1 || die "ceph-osd --mkfs failed"
  ceph-osd -f -i 0 >>"$LOGS/ceph-osd.out" 2>&1 & pid=$!; SERVER_PIDS+=("$pid"); disown "$pid"
  for i in $(seq 1 360); do ceph osd stat 2>/dev/null | grep -q ' 1 up' && break; sleep 0.25; done
  ceph osd stat 2>/dev/null | grep -q ' 1 up' || die "the Ceph OSD did not come up (see $c/log)"
  ceph auth get-or-create client.rgw.a mon 'allow rw' osd 'allow rwx' >>"$c/keyring" 2>>"$LOGS/ceph-setup.log"
  radosgw -f -n client.rgw.a >>"$LOGS/radosgw.out" 2>&1 & pid=$!; SERVER_PIDS+=("$pid"); disown "$pid"
  wait_port "$rgw_port" "$pid" || die "radosgw did not start (see $c/log)"
  radosgw-admin user create --uid=bench --display-name=bench --access-key=stalkAK --secret=stalkSK >>"$LOGS/ceph-setup.log" 2>&1 \
    || die "radosgw-admin user create failed"
  S3_ENDPOINT=http://127.0.0.1:$rgw_port; S3_ACCESS_KEY=stalkAK; S3_SECRET_KEY=stalkSK
  log "Ceph RGW $(radosgw --version 2>/dev/null | awk '{print $3}') on $S3_ENDPOINT"
}

# SIGTERM (Ceph: SIGKILL, as its recipe says: memstore drops the data either way), then SIGKILL.
# (The Ceph daemons are disowned when started, so that bash does not report their SIGKILL.)
stop_servers() {
  local p i
  for p in "${SERVER_PIDS[@]}"; do
    kill -0 "$p" 2>/dev/null || continue
    case $(cat "/proc/$p/comm" 2>/dev/null) in ceph-*|radosgw) kill -KILL "$p" ;; *) kill -TERM "$p" ;; esac 2>/dev/null
  done
  for p in "${SERVER_PIDS[@]}"; do
    for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  SERVER_PIDS=()
}
