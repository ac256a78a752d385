#!/bin/bash
# Runs inside the throwaway Debian 12 root prepared by run.sh, as root.
set -uo pipefail
export DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin
passes=0 fails=0
ok() { echo "PASS: $*"; passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
pam_files="common-auth common-account common-session common-session-noninteractive common-password"
snapshot() { (cd /etc/pam.d && cat $pam_files) | sha256sum | cut -d' ' -f1; }
agent_pid=

start_agent() {
  mkdir -p /run/staffgate /var/log/staffgate /var/lib/staffgate
  /usr/sbin/staffgated --config /etc/staffgate/agent.conf 2>>/tmp/agent.log &
  agent_pid=$!
  for _ in $(seq 100); do [ -S /run/staffgate/agent.sock ] && return 0; sleep 0.05; done
  echo "agent did not start:"; cat /tmp/agent.log; return 1
}
stop_agent() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
  agent_pid=
}
login_ok() { pamtester login "$1" acct_mgmt >/tmp/pt.out 2>&1; }
central_pid=
stop_central() {
  [ -n "$central_pid" ] && kill "$central_pid" 2>/dev/null && wait "$central_pid" 2>/dev/null
  central_pid=
}
# Nothing started here outlives the script, whichever way it ends.
trap 'stop_agent; stop_central' EXIT

# --- install -----------------------------------------------------------------
apt-get update -qq >/tmp/update.log 2>&1 || { bad "apt-get update in the test root"; cat /tmp/update.log; }
before=$(snapshot)
# As on a Debian 12 workstation with systemd, whose libnss-systemd adds
# "systemd" to these lines (the bare base root has "files" alone): our words
# go between "files" and "systemd" (docs/design.md §9).
sed -i -E 's/^(passwd|group):([[:space:]]+)files$/\1:\2files systemd/' /etc/nsswitch.conf
nss_before=$(sha256sum </etc/nsswitch.conf)
if apt-get install -y -q /tmp/debs/*.deb >/tmp/install.log 2>&1; then ok "apt installs the four packages"; else
  bad "apt install"; cat /tmp/install.log; exit 1; fi
check "common-auth names pam_staffgate" grep -q 'pam_staffgate.so' /etc/pam.d/common-auth
check "common-account names pam_staffgate" grep -q 'pam_staffgate.so' /etc/pam.d/common-account
check "common-session names pam_staffgate" grep -q 'pam_staffgate.so' /etc/pam.d/common-session
check "common-session-noninteractive does not" bash -c '! grep -q pam_staffgate.so /etc/pam.d/common-session-noninteractive'
check "no sufficient control on our lines" bash -c '! grep pam_staffgate.so /etc/pam.d/common-* | grep -q sufficient'
check "agent config is a conffile" grep -qx /etc/staffgate/agent.conf /var/lib/dpkg/info/staffgate-agent.conffiles
check "central system user exists" getent passwd staffgate-central
check "central initialised its directory" test -s /var/lib/staffgate-central/roster-signing.pub

for u in alice bob carol dave; do useradd -m -s /bin/bash "$u"; done
for u in alice bob carol dave; do echo "$u:Correct-Horse-7" | chpasswd; done

# --- a fresh install locks nobody out -------------------------------------------
start_agent || exit 1
check "unenrolled agent: alice allowed" login_ok alice
check "unenrolled agent: status says not enrolled" bash -c 'staffgatectl status | grep -qiE "not enrolled|enrolled: *no|enrolled.*false"'

# --- the central, as the package installed it -------------------------------------
# postinst initialised /var/lib/staffgate-central as the system user (the unit's
# ConditionPathExists needs central.conf). An admin who wants another address
# edits `listen` there; init itself refuses to overwrite an existing central.
# No systemd here: the test runs what the unit runs, as the unit's user.
central_dir=/var/lib/staffgate-central
cport=$((20000 + RANDOM % 20000))
export STAFFGATE_CENTRAL="https://127.0.0.1:$cport" STAFFGATE_CA="$central_dir/ca.pem" \
  STAFFGATE_TOKEN_FILE="$central_dir/admin.token"
central_files_ok() {
  local f
  for f in central.conf central.db roster-signing.key roster-signing.pub ca.pem tls.crt tls.key admin.token; do
    [ -s "$central_dir/$f" ] || { echo "missing $central_dir/$f"; return 1; }
  done
  [ "$(stat -c '%U %a' "$central_dir")" = "staffgate-central 700" ] &&
    [ "$(stat -c '%U %a' "$central_dir/roster-signing.key")" = "staffgate-central 600" ] &&
    [ "$(stat -c '%U %a' "$central_dir/admin.token")" = "staffgate-central 600" ]
}
configure_central() {  # the package's central on 127.0.0.1:$cport
  check "central: postinst's init made every file, owned by the system user" central_files_ok
  local sum; sum=$(sha256sum "$central_dir/roster-signing.key")
  check "central: init refuses to overwrite the package's central" \
    bash -c 'out=$(setpriv --reuid=staffgate-central --regid=staffgate-central --init-groups \
               staffgate-central init --dir "$1" --listen 127.0.0.1:1 2>&1) && exit 1
             [[ $out == *"refusing to overwrite"* ]] && [ "$(sha256sum "$1/roster-signing.key")" = "$2" ]' _ "$central_dir" "$sum"
  sed -i "s|^listen = .*|listen = \"127.0.0.1:$cport\"|" "$central_dir/central.conf"
}
start_central() {
  (umask 077; exec setpriv --reuid=staffgate-central --regid=staffgate-central --init-groups \
    /usr/bin/staffgate-central serve --config "$central_dir/central.conf") 2>>/tmp/central.log &
  central_pid=$!
  for _ in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$cport") 2>/dev/null && return 0
    kill -0 "$central_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "central did not start:"; cat /tmp/central.log; return 1
}
populate_central() {  # the people the login checks use, and this workstation
  if { staffgate-admin employee add E1 --account alice --name "Alice Active" &&
       staffgate-admin employee add E2 --account bob --name "Bob Gone" &&
       staffgate-admin employee terminate E2 &&
       staffgate-admin employee add E4 --account dave --name "Dave Soon-Gone" &&
       staffgate-admin shared-account add sales; } >/tmp/admin.log 2>&1; then
    ok "staffgate-admin: alice active, bob terminated, dave active, 'sales' shared"
  else bad "staffgate-admin employee/shared-account"; cat /tmp/admin.log; fi
  install -d -m 0755 /etc/staffgate
  (umask 077; staffgate-admin workstation add TEST-01 >/etc/staffgate/workstation.token 2>>/tmp/admin.log)
  check "staffgate-admin workstation add TEST-01 gives a token (kept 0600)" \
    test -s /etc/staffgate/workstation.token -a "$(stat -c %a /etc/staffgate/workstation.token)" = 600
  install -m 0644 "$central_dir/ca.pem" /etc/staffgate/central-ca.pem
}
enroll_args=(--central "https://127.0.0.1:$cport" --token-file /etc/staffgate/workstation.token
             --ca /etc/staffgate/central-ca.pem --workstation TEST-01)
status_has() { staffgatectl status >/tmp/status.out 2>&1 && grep -qE "$1" /tmp/status.out; }
wait_until() {  # SECONDS COMMAND...: true once COMMAND succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ "$SECONDS" -ge "$deadline" ] && return 1; sleep 0.1; done
}
same_key() {  # same Ed25519 public key, whatever the PEM layout
  [ "$(openssl pkey -pubin -in "$1" -outform DER | sha256sum)" = "$(openssl pkey -pubin -in "$2" -outform DER | sha256sum)" ]
}
export -f same_key

configure_central
start_central || exit 1
check "central: serves HTTPS with the package's certificate" \
  bash -c 'openssl s_client -connect "127.0.0.1:$1" -CAfile "$2" -verify_ip 127.0.0.1 -verify_return_error </dev/null >/tmp/s_client.out 2>&1' _ "$cport" "$central_dir/ca.pem"
populate_central

# --- enroll with the real central ------------------------------------------------------
# Refusals first: a CA that did not sign the central's certificate, a wrong token.
# Neither may write a config that enforces anything.
conf_sum=$(sha256sum </etc/staffgate/agent.conf)
args=("${enroll_args[@]}"); args[5]=/etc/ssl/certs/ca-certificates.crt
check "enroll: refused with a CA that did not sign the central's certificate" \
  bash -c '! staffgatectl enroll "$@" >/tmp/enroll_badca.out 2>&1' _ "${args[@]}"
echo wrong-token >/tmp/bad.token; chmod 600 /tmp/bad.token
args=("${enroll_args[@]}"); args[3]=/tmp/bad.token
check "enroll: refused with a wrong workstation token" \
  bash -c '! staffgatectl enroll "$@" >/tmp/enroll_badtoken.out 2>&1' _ "${args[@]}"
check "enroll: refusals left agent.conf alone and the agent unenrolled" \
  bash -c '[ "$(sha256sum </etc/staffgate/agent.conf)" = "$1" ] && ! staffgatectl status | grep -qE "enrolled: +yes"' _ "$conf_sum"

if staffgatectl enroll "${enroll_args[@]}" >/tmp/enroll.out 2>&1; then ok "staffgatectl enroll with the central (key from GET /v1/keys)"; else
  bad "staffgatectl enroll with the central"; cat /tmp/enroll.out; tail -20 /tmp/agent.log; fi
check "enroll: the running agent reloaded and synced" grep -q 'the agent reloaded' /tmp/enroll.out
enrolled=/etc/staffgate/agent.conf.d/50-enrollment.conf
check "enroll: trusts the central's roster key (/etc/staffgate/roster-signing.pub)" \
  bash -c 'grep -q "^trusted_keys = \[\"/etc/staffgate/roster-signing.pub\"\]" "$2" &&
           { cmp -s /etc/staffgate/roster-signing.pub "$1" || same_key /etc/staffgate/roster-signing.pub "$1"; }' _ "$central_dir/roster-signing.pub" "$enrolled"
check "enroll: its drop-in names the central, the CA, the token and TEST-01" \
  bash -c "grep -q '^central_url = \"https://127.0.0.1:$cport\"' $enrolled &&
           grep -q '^ca_file = \"/etc/staffgate/central-ca.pem\"' $enrolled &&
           grep -q '^token_file = \"/etc/staffgate/workstation.token\"' $enrolled &&
           grep -q '^workstation = \"TEST-01\"' $enrolled"
check "enroll: the agent.conf conffile is left as shipped" \
  bash -c '[ "$(sha256sum </etc/staffgate/agent.conf)" = "$1" ] && ! dpkg --verify staffgate-agent | grep -q "/etc/staffgate/agent.conf$"' _ "$conf_sum"
check "status: enrolled, workstation TEST-01" bash -c 'staffgatectl status | grep -qE "enrolled: +yes" && staffgatectl status | grep -qE "workstation: +TEST-01"'
check "status: central reachable" wait_until 10 status_has 'central reachable: +yes'

check "the main profile tells the agent of local password changes, after pam_unix" \
  bash -c 'grep -q "pam_staffgate.so password_changed" /etc/pam.d/common-password && [ "$(grep -n "pam_unix.so" /etc/pam.d/common-password | head -1 | cut -d: -f1)" -lt "$(grep -n "password_changed" /etc/pam.d/common-password | cut -d: -f1)" ]'
# --- staffgate passwords: the staffgate-auth profile (off by default) ---------------------
pw_ok() {  # USER PASSWORD: the auth stack accepts PASSWORD for USER
  printf '%s\n' "$2" | pamtester login "$1" authenticate >/tmp/pw.out 2>&1
}
echo "root:Root-Pass-1234" | chpasswd
check "staffgate-auth: installed but not enabled by default" \
  bash -c 'test -f /usr/share/pam-configs/staffgate-auth && ! grep -q "pam_staffgate.so authenticate" /etc/pam.d/common-auth'
before_auth=$(snapshot)
pam-auth-update --enable staffgate-auth >/tmp/auth-enable.log 2>&1 || { bad "pam-auth-update --enable staffgate-auth"; cat /tmp/auth-enable.log; }
auth_line=$(grep -n 'pam_staffgate.so authenticate' /etc/pam.d/common-auth | head -1 | cut -d: -f1)
unix_line=$(grep -n 'pam_unix.so' /etc/pam.d/common-auth | head -1 | cut -d: -f1)
check "staffgate-auth: its auth line runs before pam_unix" test -n "$auth_line" -a "${auth_line:-0}" -lt "${unix_line:-0}"
check "staffgate-auth: its password line is in common-password" grep -qE '^password\s+\[success=[0-9]+ default=ignore\]\s+pam_staffgate\.so\s*$' /etc/pam.d/common-password
check "staffgate-auth enabled: root still signs in with pam_unix" pw_ok root Root-Pass-1234
check "staffgate-auth enabled: root's wrong password refused" bash -c "$(declare -f pw_ok); ! pw_ok root wrong-password"
# alice is a local user (shadow password) and an employee without a staffgate
# password: the central answers not_managed and pam_unix checks her. (A local
# user on no roster, carol, is refused by the main profile's unknown_accounts
# = "deny", passwords or not: "login: unknown account refused" below.)
check "staffgate-auth enabled: a local user without a staffgate password signs in with pam_unix" pw_ok alice Correct-Horse-7
check "staffgate-auth enabled: the local user's wrong password is refused" bash -c "$(declare -f pw_ok); ! pw_ok alice wrong-password"
# An NSS-only employee: no passwd or shadow line here, only the roster (§9),
# and a staffgate password set at the central (§10).
if { staffgate-admin employee add E9 --account nssivy --name "Ivy Only-NSS" &&
     printf 'Garage-Lantern-Ivy-52\n' | staffgate-admin employee set-password E9 &&
     staffgatectl sync; } >/tmp/nssivy.log 2>&1; then ok "staffgate-auth: an NSS-only employee with a staffgate password"; else
  bad "staffgate-auth: an NSS-only employee with a staffgate password"; cat /tmp/nssivy.log; fi
check "staffgate-auth: nssivy exists only through libnss_staffgate" \
  bash -c 'wait_until() { local d=$((SECONDS + $1)); shift; until "$@"; do [ $SECONDS -ge $d ] && return 1; sleep 0.1; done; }
           wait_until 10 getent passwd nssivy && ! grep -q "^nssivy:" /etc/passwd /etc/shadow'
check "staffgate-auth enabled: the NSS-only employee signs in with her staffgate password (login)" \
  pw_ok nssivy Garage-Lantern-Ivy-52
check "staffgate-auth enabled: the NSS-only employee's wrong password is refused" \
  bash -c "$(declare -f pw_ok); ! pw_ok nssivy wrong-password-123"
check "staffgate-auth enabled: her password is in no file on the workstation" \
  bash -c '! grep -rqF Garage-Lantern-Ivy-52 /etc /var/lib/staffgate /var/log/staffgate /tmp/agent.log'
pam-auth-update --disable staffgate-auth >/tmp/auth-disable.log 2>&1 || { bad "pam-auth-update --disable staffgate-auth"; cat /tmp/auth-disable.log; }
check "staffgate-auth disabled: the stack is back byte for byte" test "$(snapshot)" = "$before_auth"
check "status: a valid roster from the central" status_has 'roster serial: +[1-9][0-9]* \(valid\)'
grep -qE 'central reachable: +yes' /tmp/status.out || cat /tmp/status.out

check "login: active employee allowed" login_ok alice
check "login: terminated employee refused" bash -c '! pamtester login bob acct_mgmt >/tmp/pt.out 2>&1'
check "login: terminated gets account expired" grep -qi 'expired' /tmp/pt.out
check "login: unknown account refused" bash -c '! pamtester login carol acct_mgmt >/dev/null 2>&1'
check "login: root allowed" login_ok root

# --- a live revocation: HR terminates dave, the agent follows by long-poll ------------------
refused() { ! pamtester login "$1" acct_mgmt >/tmp/pt_live.out 2>&1; }
check "live: dave allowed before" login_ok dave
t0=$(date +%s%N)
staffgate-admin employee terminate E4 >/tmp/admin_term.out 2>&1 || { bad "staffgate-admin employee terminate E4"; cat /tmp/admin_term.out; }
t1=$(date +%s%N)
if wait_until 10 refused dave; then
  t2=$(date +%s%N)
  revoke_ms=$(( (t2 - t0) / 1000000 ))
  ok "live: login refuses dave $revoke_ms ms after 'staffgate-admin employee terminate' ($(( (t1 - t0) / 1000000 )) ms of it the admin call)"
else
  bad "live: login still allows dave 10 s after 'staffgate-admin employee terminate'"; staffgatectl status; tail -20 /tmp/agent.log
fi
check "live: dave's refusal says account expired" grep -qi 'expired' /tmp/pt_live.out
central_events() { staffgate-admin events --since 1h --workstation TEST-01 "$@" >/tmp/events.out 2>&1; }
dave_event() { central_events --account dave --decision deny && grep -E 'TEST-01 +decision +dave +login +deny +terminated' /tmp/events.out >/dev/null; }
bob_event() { central_events --account bob && grep -E 'TEST-01 +decision +bob +login +deny +terminated' /tmp/events.out >/dev/null; }
check "staffgate-admin events: TEST-01's login decisions reached the central (dave, bob refused)" \
  wait_until 30 bash -c "$(declare -f central_events dave_event bob_event); dave_event && bob_event"
grep -q TEST-01 /tmp/events.out || { cat /tmp/events.out; staffgatectl status; }
check "workstation list: TEST-01 has been in contact" \
  bash -c 'staffgate-admin workstation list >/tmp/ws.out 2>&1 && grep -E "^TEST-01 " /tmp/ws.out | grep -q "[0-9]T[0-9]"'

# --- OpenSSH with UsePAM: key logins -------------------------------------------
port=$cport
while [ "$port" = "$cport" ]; do port=$((20000 + RANDOM % 20000)); done
mkdir -p /run/sshd && ssh-keygen -A >/dev/null
cat >/etc/ssh/sshd_staffgate_test <<CONF
Port $port
ListenAddress 127.0.0.1
UsePAM yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
HostKey /etc/ssh/ssh_host_ed25519_key
PidFile /run/sshd-staffgate-test.pid
CONF
for u in alice bob; do
  install -d -m 700 -o "$u" -g "$u" "/home/$u/.ssh"
  ssh-keygen -q -t ed25519 -N '' -f "/tmp/key_$u"
  install -m 600 -o "$u" -g "$u" "/tmp/key_$u.pub" "/home/$u/.ssh/authorized_keys"
done
/usr/sbin/sshd -f /etc/ssh/sshd_staffgate_test -D -e 2>/tmp/sshd.log &
sshd_pid=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
ssh_as() {
  timeout 20 ssh -i "/tmp/key_$1" -p "$port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o BatchMode=yes -o LogLevel=INFO "$1@127.0.0.1" 'echo logged-in-as-$USER'
}
ssh_as alice >/tmp/ssh_alice.out 2>/tmp/ssh_alice.err
check "ssh key login: active employee" grep -q logged-in-as-alice /tmp/ssh_alice.out
ssh_as bob >/tmp/ssh_bob.out 2>/tmp/ssh_bob.err; rc=$?
check "ssh key login: terminated employee refused" test "$rc" -ne 0 -a ! -s /tmp/ssh_bob.out
msg=$(staffgatectl check bob --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["message"])' 2>/dev/null ||
      staffgatectl check bob --json 2>/dev/null | sed -n 's/.*"message": *"\([^"]*\)".*/\1/p')
check "ssh: the refusal message reaches the client" bash -c '[ -n "$1" ] && grep -qF "$1" /tmp/ssh_bob.err' _ "$msg"
kill "$sshd_pid" 2>/dev/null; wait "$sshd_pid" 2>/dev/null

# --- OpenSSH with UsePAM: a password login of an NSS-only employee (staffgate-auth) ----------
pam-auth-update --enable staffgate-auth >/tmp/auth-enable2.log 2>&1 || bad "pam-auth-update --enable staffgate-auth (ssh)"
pwport=$port
while [ "$pwport" = "$port" ] || [ "$pwport" = "$cport" ]; do pwport=$((20000 + RANDOM % 20000)); done
sed -e "s/^Port .*/Port $pwport/" -e 's/^KbdInteractiveAuthentication no/KbdInteractiveAuthentication yes/' \
  -e 's/^PubkeyAuthentication yes/PubkeyAuthentication no/' -e 's|^PidFile .*|PidFile /run/sshd-staffgate-pw.pid|' \
  /etc/ssh/sshd_staffgate_test >/etc/ssh/sshd_staffgate_pw
/usr/sbin/sshd -f /etc/ssh/sshd_staffgate_pw -D -e 2>/tmp/sshd_pw.log &
sshd_pw_pid=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$pwport") 2>/dev/null && break; sleep 0.05; done
ssh_password() {  # USER PASSWORD: keyboard-interactive through PAM, the password from SSH_ASKPASS
  printf '#!/bin/sh\necho %s\n' "$2" >/tmp/askpass && chmod 700 /tmp/askpass
  SSH_ASKPASS=/tmp/askpass SSH_ASKPASS_REQUIRE=force timeout 20 setsid ssh -p "$pwport" \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no \
    -o PreferredAuthentications=keyboard-interactive,password -o NumberOfPasswordPrompts=1 \
    "$1@127.0.0.1" 'echo logged-in-as-$USER' </dev/null
}
ssh_password nssivy Garage-Lantern-Ivy-52 >/tmp/ssh_pw.out 2>/tmp/ssh_pw.err
check "ssh password login: the NSS-only employee with her staffgate password" grep -q logged-in-as-nssivy /tmp/ssh_pw.out
ssh_password nssivy wrong-password-123 >/tmp/ssh_pw_bad.out 2>/tmp/ssh_pw_bad.err
check "ssh password login: her wrong password refused" test ! -s /tmp/ssh_pw_bad.out
check "ssh password login: her home was made 0700 at first login" test "$(stat -c %a /home/nssivy 2>/dev/null)" = 700
kill "$sshd_pw_pid" 2>/dev/null; wait "$sshd_pw_pid" 2>/dev/null
rm -f /tmp/askpass
pam-auth-update --disable staffgate-auth >/dev/null 2>&1 || bad "pam-auth-update --disable staffgate-auth (ssh)"
check "staffgate-auth disabled again: the stack is back byte for byte" test "$(snapshot)" = "$before_auth"

# --- the audit log rotates without losing a line -----------------------------------------
audit_log=/var/log/staffgate/audit.jsonl
check "logrotate: the packaged rule is valid" logrotate -d /etc/logrotate.d/staffgate-agent
lines_before=$(wc -l <"$audit_log")
if logrotate -f /etc/logrotate.d/staffgate-agent >/tmp/logrotate.out 2>&1; then ok "logrotate -f runs the packaged rule"; else
  bad "logrotate -f runs the packaged rule"; cat /tmp/logrotate.out; fi
check "logrotate: the old trail is kept beside it" test "$(wc -l <"$audit_log.1" 2>/dev/null)" -ge "$lines_before"
# postrotate sent SIGHUP (no systemd here: pkill); the agent reopened a fresh file.
check "logrotate: the agent reopened a new audit.jsonl (its reload is the first line)" \
  wait_until 5 grep -q '"config_reloaded"' "$audit_log"
check "logrotate: the new file is root's, mode 0640" test "$(stat -c '%U %a' "$audit_log" 2>/dev/null)" = "root 640"

# --- upgrade keeps config and state ----------------------------------------------------
# run.sh repacked the same packages as VERSION+upgradetest1 into /tmp/debs-new.
# The agent.conf shipped is unchanged, so dpkg must keep the local edit without
# asking (no --force-confold) and leave no .dpkg-new/.dpkg-dist beside it.
audit=/var/log/staffgate/audit.jsonl
kept_files="/etc/staffgate/agent.conf /etc/staffgate/roster-signing.pub /etc/staffgate/workstation.token
  /etc/staffgate/central-ca.pem /var/lib/staffgate/roster.dsse"
state_sums() {  # agent config and roster, the central's directory (content, owner, mode), its user
  sha256sum $kept_files
  (cd "$central_dir" && find . -printf '%p %u:%g %m\n' | LC_ALL=C sort &&
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum)
  getent passwd staffgate-central | cut -d: -f1,3,4,6
  getent group staffgate-central | cut -d: -f1,3
}
staffgate_lines() { grep -c 'pam_staffgate\.so' "/etc/pam.d/$1"; }
one_line_per_block() {
  [ "$(staffgate_lines common-auth)" = 1 ] && [ "$(staffgate_lines common-account)" = 1 ] &&
    [ "$(staffgate_lines common-session)" = 1 ] && [ "$(staffgate_lines common-session-noninteractive)" = 0 ]
}
# watch_logins: root, an active and a terminated employee log in over and over
# until /tmp/watch.stop exists. A stack naming a missing module would refuse
# root; a stack without staffgate for a moment would let bob in.
watch_logins() {
  local n=0 f=0
  while [ ! -e /tmp/watch.stop ]; do
    n=$((n + 1))
    login_ok root || { f=$((f + 1)); echo "root refused at attempt $n: $(cat /tmp/pt.out)"; }
    login_ok alice || { f=$((f + 1)); echo "alice refused at attempt $n: $(cat /tmp/pt.out)"; }
    login_ok bob && { f=$((f + 1)); echo "bob allowed at attempt $n"; }
  done >/tmp/watch.log
  echo "$n $f" >/tmp/watch.result
}
installed_version() { dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null; }
all_upgraded() {
  local p
  for p in libpam-staffgate staffgate-agent staffgate-central staffgate-admin; do
    [ "$(installed_version "$p")" = "install ok installed $new_version" ] || { echo "$p: $(installed_version "$p")"; return 1; }
  done
}
no_dpkg_leftovers() { [ -z "$(find /etc/staffgate \( -name '*.dpkg-*' -o -name '*.ucf-*' \) -print)" ]; }

upgrade_test() {
  new_version=$(dpkg-deb -f /tmp/debs-new/staffgate-agent_*.deb Version 2>/dev/null)
  if [ -z "$new_version" ]; then bad "upgrade: newer packages present in /tmp/debs-new"; return; fi
  printf '# local edit: must survive upgrades\n' >>/etc/staffgate/agent.conf
  kill -HUP "$agent_pid"; sleep 0.3
  check "before upgrade: dpkg sees agent.conf as a modified conffile" \
    bash -c 'dpkg --verify staffgate-agent | grep -q " c /etc/staffgate/agent.conf$"'
  check "before upgrade: roster, audit log and central state in place" \
    test -s /var/lib/staffgate/roster.dsse -a -s /var/log/staffgate/audit.jsonl -a -s "$central_dir/central.conf"
  # With systemd the central's postinst restarts it; here it is stopped for the
  # upgrade (its database is part of the state that must come through) and
  # started again after. The agent keeps deciding from its cached roster.
  stop_central
  local sums_before stack_before old_exe
  sums_before=$(state_sums) stack_before=$(snapshot)
  # The audit log grows during the upgrade (logins below): its old lines must stay.
  local audit_size audit_sum
  audit_size=$(stat -c %s "$audit") audit_sum=$(sha256sum <"$audit")

  rm -f /tmp/watch.stop /tmp/watch.result
  watch_logins & local watch_pid=$!
  if apt-get install -y -q /tmp/debs-new/*.deb </dev/null >/tmp/upgrade.log 2>&1; then
    ok "apt upgrades the three packages to $new_version (noninteractive, no --force-conf*)"
  else bad "apt upgrade"; cat /tmp/upgrade.log; fi
  touch /tmp/watch.stop; wait "$watch_pid"
  check "upgrade: no conffile prompt" bash -c '! grep -qiE "conffile|configuration file" /tmp/upgrade.log'
  check "upgrade: dpkg -s shows $new_version for all three" all_upgraded
  local n=0 f=1; read -r n f </tmp/watch.result
  check "upgrade: throughout it root and alice allowed, bob refused ($n rounds, $f wrong)" \
    test "$n" -gt 0 -a "$f" = 0
  [ "$f" = 0 ] || head -5 /tmp/watch.log
  check "upgrade: audit log kept (its $audit_size bytes from before unchanged)" \
    test "$(head -c "$audit_size" "$audit" | sha256sum)" = "$audit_sum"
  check "upgrade: agent.conf, roster, central directory and user (same uid) unchanged" \
    test "$(state_sums)" = "$sums_before"
  [ "$(state_sums)" = "$sums_before" ] || diff <(echo "$sums_before") <(state_sums)
  check "upgrade: no .dpkg-new/.dpkg-dist beside the config" no_dpkg_leftovers
  check "upgrade: PAM stack byte for byte as before" test "$(snapshot)" = "$stack_before"
  check "upgrade: one staffgate line in auth, account, session; none noninteractive" one_line_per_block

  # No systemd here: restart by hand what the postinst's deb-systemd-invoke restarts.
  old_exe=$(readlink "/proc/$agent_pid/exe")
  check "upgrade: the running agent kept answering (alice allowed, bob refused)" \
    bash -c 'pamtester login alice acct_mgmt >/dev/null 2>&1 && ! pamtester login bob acct_mgmt >/dev/null 2>&1'
  stop_agent
  start_agent || { bad "agent starts after the upgrade"; return; }
  check "upgrade: restarted agent runs the new file (old one was ${old_exe##*/})" \
    test "$(readlink "/proc/$agent_pid/exe")" = /usr/sbin/staffgated
  check "after upgrade: active employee allowed" login_ok alice
  check "after upgrade: terminated employee refused" bash -c '! pamtester login bob acct_mgmt >/tmp/pt.out 2>&1'
  start_central || { bad "central starts after the upgrade"; return; }
  staffgate-admin employee reinstate E4 >/tmp/admin_reinstate.out 2>&1 || { bad "staffgate-admin employee reinstate E4"; cat /tmp/admin_reinstate.out; }
  check "after upgrade: the agent follows the central again (dave reinstated, allowed within 10 s)" \
    wait_until 10 login_ok dave
  check "after upgrade: status says central reachable" wait_until 10 status_has 'central reachable: +yes'

  # An admin who took the profile out of the stack keeps that choice on upgrade.
  pam-auth-update --disable staffgate >/dev/null 2>&1
  local stack_disabled; stack_disabled=$(snapshot)
  apt-get install -y -q --reinstall /tmp/debs-new/*.deb </dev/null >/tmp/reinstall.log 2>&1 || { bad "apt reinstall"; cat /tmp/reinstall.log; }
  check "upgrade: a profile the admin disabled stays disabled" test "$(snapshot)" = "$stack_disabled" -a "$(staffgate_lines common-account)" = 0
  pam-auth-update --enable staffgate >/dev/null 2>&1
  check "upgrade: re-enabled profile gives the same stack again" test "$(snapshot)" = "$stack_before"
}
upgrade_test

# A removal that fails after our prerm ran: dpkg unwinds with postinst
# abort-remove, which must put the profile back (the module is still there).
unwind_test() {
  local stack; stack=$(snapshot)
  "$(dpkg-query --control-path libpam-staffgate prerm)" remove >/dev/null 2>&1
  check "prerm remove takes staffgate out of the stack" test "$(staffgate_lines common-account)" = 0
  "$(dpkg-query --control-path libpam-staffgate postinst)" abort-remove >/dev/null 2>&1
  check "postinst abort-remove puts the same stack back" test "$(snapshot)" = "$stack"
}
unwind_test

# --- agent down -------------------------------------------------------------------
stop_agent
stop_central
check "agent down: root still allowed" login_ok root
check "agent down: employee refused" bash -c '! pamtester login alice acct_mgmt >/tmp/pt.out 2>&1'
check "agent down: the person reads a staffgate sentence" grep -q "staffgate agent is not answering" /tmp/pt.out

# --- identities from the roster: libnss_staffgate (docs/design.md §9) -------------------
# The agent is down here: a roster with posix fields, signed with the central's
# key the agent trusts (serial far ahead of the central's), is installed
# offline, which writes the NSS snapshot. Every lookup below runs with the
# agent stopped.
nss_test() {
  check "nsswitch.conf: passwd: files staffgate systemd" grep -Eq '^passwd:[[:space:]]+files staffgate systemd$' /etc/nsswitch.conf
  check "nsswitch.conf: group: files [SUCCESS=merge] staffgate systemd" \
    grep -Eq '^group:[[:space:]]+files \[SUCCESS=merge\] staffgate systemd$' /etc/nsswitch.conf
  check "libnss_staffgate.so.2 in the multiarch library directory" bash -c 'ls /lib/*-linux-gnu*/libnss_staffgate.so.2 >/dev/null'
  local now exp
  now=$(date -u -d '1 hour ago' +%Y-%m-%dT%H:%M:%SZ) exp=$(date -u -d '7 days' +%Y-%m-%dT%H:%M:%SZ)
  cat >/tmp/nss-roster.json <<JSON
{"schema": "staffgate.roster.v1", "serial": 1000000, "issued_at": "$now", "expires_at": "$exp",
 "organization": "Package test",
 "employees": [
  {"id": "E20", "status": "active", "accounts": ["nssann"], "groups": ["service"],
   "posix": {"nssann": {"uid": 20500}}, "display_name": "Ann Nss"},
  {"id": "E21", "status": "terminated", "accounts": ["nssbob"], "groups": ["service"],
   "posix": {"nssbob": {"uid": 20501}}},
  {"id": "E22", "status": "active", "accounts": ["nsscat"], "groups": ["sales"],
   "posix": {"nsscat": {"uid": 20502}}},
  {"id": "E23", "status": "active", "accounts": ["nssdan"], "groups": ["service"],
   "posix": {"nssdan": {"uid": 20504}}},
  {"id": "E1", "status": "active", "accounts": ["alice"], "posix": {"alice": {"uid": 20503}}}],
 "workstations": {"TEST-01": {"groups": ["service"]}},
 "posix_groups": {"workshop": {"gid": 30500, "roles": ["service"]}, "dialout": {"roles": ["service"]}},
 "policy": {"max_workstations_per_account": 0}}
JSON
  staffgate-central sign --key "$central_dir/roster-signing.key" --in /tmp/nss-roster.json --out /tmp/nss-roster.dsse >/tmp/nss-sign.out 2>&1 ||
    { bad "sign the NSS roster"; cat /tmp/nss-sign.out; return; }
  if staffgatectl roster install /tmp/nss-roster.dsse >/tmp/nss-install.out 2>&1; then ok "nss: offline roster install"; else
    bad "nss: offline roster install"; cat /tmp/nss-install.out; return; fi
  check "nss: snapshot world-readable under a 0711 state dir" \
    test "$(stat -c %a /var/lib/staffgate/nss/db)" = 644 -a "$(stat -c %a /var/lib/staffgate)" = 711
  check "nss: getent passwd nssann (agent down)" \
    test "$(getent passwd nssann)" = "nssann:*:20500:20500:Ann Nss:/home/nssann:/bin/bash"
  check "nss: id nssann shows only the groups of its role here" \
    test "$(id nssann)" = "uid=20500(nssann) gid=20500(nssann) groups=20500(nssann),20(dialout),30500(workshop)"
  check "nss: terminated employee resolves with /usr/sbin/nologin" \
    test "$(getent passwd nssbob | cut -d: -f7)" = /usr/sbin/nologin
  check "nss: employee not permitted here gets no extra group" test "$(id -G nsscat)" = 20502
  check "nss: a local account wins over the roster" test "$(getent passwd alice | cut -d: -f3)" != 20503
  check "nss: getent group workshop" test "$(getent group workshop)" = "workshop:*:30500:nssann,nssdan"
  check "nss: local group dialout gains nssann by merge" bash -c 'getent group dialout | cut -d: -f4 | tr , "\n" | grep -qx nssann'
  check "nss: root untouched" test "$(getent passwd root | cut -d: -f3)" = 0
  check "nss: staffgatectl id explains the grant" bash -c 'staffgatectl id nssann | grep -q "workshop (gid 30500): granted"'
  check "nss: the clash is in the audit log" grep -q '"nss_identity_skipped"' /var/log/staffgate/audit.jsonl

  # Logins of NSS-only employees: the agent up, central down (leases allowed).
  start_agent || return
  check "nss: first session of nssann" pamtester login nssann open_session
  check "nss: home created 0700, owned by nssann, from /etc/skel" \
    bash -c 'test "$(stat -c "%a %U" /home/nssann)" = "700 nssann" && test -e /home/nssann/.bashrc'
  check "nss: terminated NSS employee refused" bash -c '! pamtester login nssbob acct_mgmt >/tmp/pt.out 2>&1'
  check "nss: with the deactivated message" grep -qi deactivated /tmp/pt.out
  local sport=$((cport + 1))
  mkdir -p /etc/ssh/staffgate_keys /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f /tmp/key_nss <<<y >/dev/null 2>&1
  install -m 0644 /tmp/key_nss.pub /etc/ssh/staffgate_keys/nssdan
  install -m 0644 /tmp/key_nss.pub /etc/ssh/staffgate_keys/nssbob
  sed -e "s/^Port .*/Port $sport/" -e 's/^PidFile .*/PidFile \/run\/sshd-staffgate-nss.pid/' /etc/ssh/sshd_staffgate_test >/etc/ssh/sshd_staffgate_nss
  echo 'AuthorizedKeysFile /etc/ssh/staffgate_keys/%u' >>/etc/ssh/sshd_staffgate_nss
  /usr/sbin/sshd -f /etc/ssh/sshd_staffgate_nss -D -e 2>/tmp/sshd_nss.log & local spid=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$sport") 2>/dev/null && break; sleep 0.05; done
  local sshopts=(-i /tmp/key_nss -p "$sport" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes)
  check "nss: no home before the first login" test ! -e /home/nssdan
  timeout 20 ssh "${sshopts[@]}" nssdan@127.0.0.1 'echo in-as-$USER; stat -c "%a %U" $HOME' >/tmp/ssh_nss.out 2>/tmp/ssh_nss.err
  check "nss: ssh key login of an NSS-only employee" grep -q in-as-nssdan /tmp/ssh_nss.out
  grep -q in-as-nssdan /tmp/ssh_nss.out || { cat /tmp/ssh_nss.err; tail -20 /tmp/sshd_nss.log; }
  check "nss: ssh login made a 0700 home" grep -qx "700 nssdan" /tmp/ssh_nss.out
  timeout 20 ssh "${sshopts[@]}" nssbob@127.0.0.1 true >/tmp/ssh_nssbob.out 2>/tmp/ssh_nssbob.err
  check "nss: ssh of a terminated NSS employee refused with the deactivated message" grep -qi deactivated /tmp/ssh_nssbob.err
  kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
  stop_agent
  check "nss: agent stopped, getent still answers" test "$(getent passwd 20500 | cut -d: -f1)" = nssann
}
nss_test

# --- purge restores the PAM stack ---------------------------------------------------
apt-get purge -y -q libpam-staffgate staffgate-agent staffgate-central staffgate-admin >/tmp/purge.log 2>&1 || { bad "purge"; cat /tmp/purge.log; }
check "purge restores the PAM stack byte for byte" test "$(snapshot)" = "$before"
check "purge restores /etc/nsswitch.conf byte for byte" test "$(sha256sum </etc/nsswitch.conf)" = "$nss_before"
check "purge: getent no longer knows roster employees" bash -c '! getent passwd nssann' 
check "purge removes the central system user" bash -c '! getent passwd staffgate-central'
check "purge removes agent state" test ! -e /var/lib/staffgate
check "purge removes the central's state" test ! -e /var/lib/staffgate-central
check "purge removes /etc/staffgate (config, token, CA, key)" test ! -e /etc/staffgate

# --- beside libpam-sss ----------------------------------------------------------------
if apt-get install -y -q libpam-sss >/tmp/sss.log 2>&1; then
  before_sss=$(snapshot)
  nss_before_sss=$(sha256sum </etc/nsswitch.conf)  # libnss-sss may have added "sss"
  apt-get install -y -q /tmp/debs/*.deb >/tmp/install2.log 2>&1 || bad "reinstall beside libpam-sss"
  ours=$(grep -n pam_staffgate.so /etc/pam.d/common-account | head -1 | cut -d: -f1)
  localuser=$(grep -n 'sufficient.*pam_localuser.so' /etc/pam.d/common-account | head -1 | cut -d: -f1)
  check "with libpam-sss: our account line runs before pam_localuser's sufficient" \
    test -n "$ours" -a -n "$localuser" -a "${ours:-0}" -lt "${localuser:-0}"
  # A fresh central (purge took the old one) and the pinned path: the admin
  # brings the roster key, the agent is down, so enroll installs the first
  # roster itself and the agent enforces from its first answer.
  configure_central
  start_central || true
  populate_central
  install -m 0644 "$central_dir/roster-signing.pub" /tmp/pinned-roster-key.pub
  if staffgatectl enroll "${enroll_args[@]}" --roster-key /tmp/pinned-roster-key.pub >/tmp/enroll2.out 2>&1; then
    ok "with libpam-sss: enroll pinning --roster-key, agent down"; else
    bad "with libpam-sss: enroll pinning --roster-key, agent down"; cat /tmp/enroll2.out; fi
  check "with libpam-sss: enroll installed the first roster into the state dir" \
    test -s /var/lib/staffgate/roster.dsse -a "$(stat -c %U /var/lib/staffgate/roster.dsse 2>/dev/null)" = root
  start_agent || true
  check "with libpam-sss: local terminated employee still refused" bash -c '! pamtester login bob acct_mgmt >/dev/null 2>&1'
  check "with libpam-sss: local active employee allowed" login_ok alice
  # The agent started with the central's current roster, so its first request
  # is a long-poll held up to 55 s; `sync` asks at once. (Until that first
  # answer, status says "central reachable: no": reported, agent side.)
  check "with libpam-sss: staffgatectl sync: up to date" bash -c 'staffgatectl sync | grep -q "up to date"'
  check "with libpam-sss: status: enrolled, central reachable" \
    bash -c "$(declare -f status_has); status_has 'central reachable: +yes' && status_has 'enrolled: +yes'"
  grep -qE 'central reachable: +yes' /tmp/status.out || cat /tmp/status.out
  stop_agent
  stop_central
  apt-get purge -y -q libpam-staffgate staffgate-agent staffgate-central staffgate-admin >/dev/null 2>&1
  check "with libpam-sss: purge restores the stack" test "$(snapshot)" = "$before_sss"
  check "with libpam-sss: purge restores nsswitch.conf" test "$(sha256sum </etc/nsswitch.conf)" = "$nss_before_sss"
else
  echo "SKIP: libpam-sss could not be installed in the test root"
fi

# --- staffgate-admin alone: an administrator's machine without a central -----------------
if apt-get install -y -q /tmp/debs/staffgate-admin_*.deb >/tmp/admin-only.log 2>&1; then
  ok "staffgate-admin installs alone"; else bad "staffgate-admin installs alone"; cat /tmp/admin-only.log; fi
check "staffgate-admin alone: no central service, user or state came with it" \
  bash -c '! dpkg -s staffgate-central >/dev/null 2>&1 && ! getent passwd staffgate-central && test ! -e /var/lib/staffgate-central'
check "staffgate-admin alone: it runs" bash -c 'staffgate-admin --help | grep -q employee'
apt-get purge -y -q staffgate-admin >/dev/null 2>&1 || bad "purge staffgate-admin"

echo "packages: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
