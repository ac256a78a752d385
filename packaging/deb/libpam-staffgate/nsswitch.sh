# Included into postinst and postrm by scripts/package (#STAFFGATE_NSSWITCH#):
# adds or removes exactly the words docs/design.md §9 names in
# /etc/nsswitch.conf, in the manner of dh_installnss:
#   passwd: files staffgate systemd
#   group:  files [SUCCESS=merge] staffgate systemd
# The file as it was before we touched it, and as we left it, are kept in
# /var/lib/libpam-staffgate so purge restores the original byte for byte
# when nobody edited it since; otherwise only our words are taken out.
NSSWITCH=/etc/nsswitch.conf
NSS_STATE=/var/lib/libpam-staffgate

nss_add() {
	[ -f "$NSSWITCH" ] || return 0
	if grep -Eq '^(passwd|group):.*[[:space:]]staffgate([[:space:]]|$)' "$NSSWITCH"; then
		return 0
	fi
	mkdir -p "$NSS_STATE"
	cp -p "$NSSWITCH" "$NSS_STATE/nsswitch.conf.orig"
	sed -E \
		-e '/^passwd:/{/[[:space:]]files([[:space:]]|$)/{s/([[:space:]]files)([[:space:]]|$)/\1 staffgate\2/;b};s/$/ staffgate/}' \
		-e '/^group:/{/[[:space:]]files([[:space:]]|$)/{s/([[:space:]]files)([[:space:]]|$)/\1 [SUCCESS=merge] staffgate\2/;b};s/$/ staffgate/}' \
		"$NSSWITCH" >"$NSSWITCH.staffgate-new"
	chmod --reference="$NSSWITCH" "$NSSWITCH.staffgate-new"
	mv "$NSSWITCH.staffgate-new" "$NSSWITCH"
	cp -p "$NSSWITCH" "$NSS_STATE/nsswitch.conf.ours"
}

nss_remove() {
	[ -f "$NSSWITCH" ] || { rm -rf "$NSS_STATE"; return 0; }
	if [ -f "$NSS_STATE/nsswitch.conf.orig" ] && [ -f "$NSS_STATE/nsswitch.conf.ours" ] &&
		cmp -s "$NSSWITCH" "$NSS_STATE/nsswitch.conf.ours"; then
		cp -p "$NSS_STATE/nsswitch.conf.orig" "$NSSWITCH.staffgate-new"
	else
		sed -E \
			-e '/^group:/s/[[:space:]]\[SUCCESS=merge\][[:space:]]+staffgate([[:space:]]|$)/\1/' \
			-e '/^(passwd|group):/s/[[:space:]]staffgate([[:space:]]|$)/\1/' \
			"$NSSWITCH" >"$NSSWITCH.staffgate-new"
		chmod --reference="$NSSWITCH" "$NSSWITCH.staffgate-new"
	fi
	mv "$NSSWITCH.staffgate-new" "$NSSWITCH"
	rm -rf "$NSS_STATE"
}
