#!/bin/sh
# acmec completion bash|zsh|fish: each script parses, and completes the
# commands, a command's flags and the Certificate names of the configuration
# the command line names with -c (asked of acmec, which lists nothing for a
# bad configuration).  No network.
. "$(dirname "$0")/../lib/e2e.sh"

# acmec on PATH, as the scripts call it.
mkdir -p "$T_TMP/bin"
ln -sf "$ACMEC" "$T_TMP/bin/acmec"
PATH=$T_TMP/bin:$PATH
export PATH

cfg=$T_TMP/acmec.yaml
cat >"$cfg" <<EOF2
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: le}
spec:
  acme:
    server: https://acme.example/dir
    privateKeySecretRef: {name: le-account}
    solvers: [{http01: {ingress: {}}}]
EOF2
cert() { # cert NAME NAMESPACE SECRET [GROUP]
	printf -- '---\napiVersion: cert-manager.io/v1\nkind: Certificate\n'
	printf 'metadata: {name: %s, namespace: %s}\n' "$1" "$2"
	printf 'spec:\n  secretName: %s\n' "$3"
	printf '  issuerRef: {name: le, kind: ClusterIssuer%s}\n' \
	    "${4:+, group: $4}"
	printf '  dnsNames: [%s.example.org]\n' "$1"
}
{
	cert www default www-tls
	cert web default web-tls
	cert api shop api-shop-tls
	cert api blog api-blog-tls
	cert vault default vault-tls example.io # external: not acmec's
} >>"$cfg"
printf 'apiVersion: [\n' >"$T_TMP/bad.yaml"

# same NAME FILE LINE...: FILE holds exactly the LINEs, in any order.
same() {
	_n=$1 _f=$2
	shift 2
	: >"$T_TMP/want"
	[ $# -eq 0 ] || printf '%s\n' "$@" | sort >"$T_TMP/want"
	sort "$_f" >"$T_TMP/got"
	if cmp -s "$T_TMP/want" "$T_TMP/got"; then
		pass "$_n"
	else
		fail "$_n" "want: $(tr '\n' ' ' <"$T_TMP/want")got: $(tr '\n' ' ' <"$T_TMP/got")"
	fi
}

# --- the helper the scripts call
expect names/list 0 "$ACMEC" -c "$cfg" completion --names
same names/list-exact "$T_TMP/out" www web shop/api blog/api
check names/list-quiet test ! -s "$T_TMP/err"
expect names/bad-config 2 "$ACMEC" -c "$T_TMP/bad.yaml" completion --names
check names/bad-config-silent test ! -s "$T_TMP/out" -a ! -s "$T_TMP/err"
expect names/no-config 2 "$ACMEC" -c "$T_TMP/none.yaml" completion --names
check names/no-config-silent test ! -s "$T_TMP/out" -a ! -s "$T_TMP/err"

# --- usage errors
expect usage/no-shell 2 "$ACMEC" completion
grep_in usage/no-shell-usage "$T_TMP/err" '^usage: acmec completion'
expect usage/bad-shell 2 "$ACMEC" completion ksh
grep_in usage/bad-shell-says "$T_TMP/err" "'ksh' is not a shell.*bash, zsh or fish"
expect usage/two-shells 2 "$ACMEC" completion bash zsh
grep_in usage/two-shells-says "$T_TMP/err" 'one shell'
expect usage/help 0 "$ACMEC" completion --help
grep_in usage/help-text "$T_TMP/out" '^usage: acmec completion'
expect usage/listed 0 "$ACMEC" --help
grep_in usage/listed-text "$T_TMP/out" '^  completion '

# --- bash
expect bash/print 0 "$ACMEC" completion bash
cp "$T_TMP/out" "$T_TMP/acmec.bash"
check bash/parses bash -n "$T_TMP/acmec.bash"
grep_in bash/registers "$T_TMP/acmec.bash" '^complete -F _acmec acmec$'

# bcomp LINE: complete the end of LINE as bash would; COMPREPLY on stdout.
bcomp() {
	bash -c '
		. "$1" || exit 3
		complete -p acmec >/dev/null || exit 4
		COMP_LINE=$2
		COMP_POINT=${#COMP_LINE}
		# bash splits at COMP_WORDBREAKS too: "--config=F" is 3 words.
		read -r -a COMP_WORDS <<<"${COMP_LINE//=/ = }"
		case $COMP_LINE in *" ") COMP_WORDS+=("") ;; esac
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_acmec acmec "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD-1]}" || exit 5
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"
	' bcomp "$T_TMP/acmec.bash" "$1" >"$T_TMP/c" 2>"$T_TMP/cerr"
}
bcase() { # bcase NAME LINE WANT...
	_bn=$1 _bl=$2
	shift 2
	bcomp "$_bl"
	check "bash/$_bn-runs" test $? -eq 0 -a ! -s "$T_TMP/cerr"
	same "bash/$_bn" "$T_TMP/c" "$@"
}
bcase commands "acmec " issue renew status revoke account check export import completion
bcase re "acmec re" renew revoke
bcase renew-flags "acmec renew --" --force --dry-run --jobs --metrics-file --pre-hook --post-hook --help
bcase status-flags "acmec -c $cfg status -" --json --format --check --warn --crit -h --help
bcase issue-flags "acmec issue --" --domain --server --staging --email \
    --eab-kid --profile --preferred-chain --standalone --tls-alpn --webroot \
    --dns --dns-hook --dns-resolver --key-type --ca-bundle --out --deploy-hook \
    --jobs --json --pre-hook --post-hook --dry-run --csr --help
bcase dns-providers "acmec issue --dns cl" cloudflare cloudDNS
bcase revoke-flags "acmec revoke --" --cert --key --reason --issuer \
    --server --ca-bundle --help
bcase account-flags "acmec account --" --issuer --email --key-type --help
bcase check-flags "acmec check --" --online --help
bcase global-flags "acmec --" --config --state-dir --secrets-dir --verbose \
    --quiet --log-format --help --version
bcase log-formats "acmec --log-format " text json
bcase status-formats "acmec status --format p" prometheus
bcase names-after-format "acmec -c $cfg --log-format json status --format json w" www web
bcase status-names "acmec -c $cfg status " www web shop/api blog/api
bcase config-eq-names "acmec --config=$cfg renew " www web shop/api blog/api
bcase issue-w "acmec -c $cfg issue w" www web
bcase revoke-names "acmec -v -c $cfg -s /tmp revoke s" shop/api
bcase bad-config "acmec -c $T_TMP/bad.yaml status " # nothing, silently
bcase key-types "acmec issue --key-type ec" ec256 ec384
bcase reasons "acmec revoke www --reason s" superseded
bcase account-actions "acmec account re" register rekey
bcase shells "acmec completion " bash zsh fish
bcase jobs-arg "acmec renew --jobs " # a number: nothing to offer
# One word only: nothing after it.
bcase account-one "acmec account --issuer le show "
bcase account-issuer-eq "acmec account --issuer=le s" show
bcase completion-one "acmec completion bash "
bcase revoke-one "acmec -c $cfg revoke --reason superseded www "
bcase revoke-after-flag "acmec -c $cfg revoke --reason superseded w" www web
bcase issue-many "acmec -c $cfg issue www --jobs 2 w" www web
mkdir -p "$T_TMP/files/sub"
: >"$T_TMP/files/c1.yaml"
bcase config-file "acmec -c $T_TMP/files/" "$T_TMP/files/c1.yaml" \
    "$T_TMP/files/sub"
bcase webroot-dir "acmec issue --webroot $T_TMP/files/" "$T_TMP/files/sub"
# The default configuration: $XDG_CONFIG_HOME/acmec when not root.
if [ "$(id -u)" -ne 0 ]; then
	mkdir -p "$T_TMP/xdg/acmec"
	cp "$cfg" "$T_TMP/xdg/acmec/acmec.yaml"
	XDG_CONFIG_HOME=$T_TMP/xdg bcase default-config "acmec status w" www web
fi

# --- zsh
expect zsh/print 0 "$ACMEC" completion zsh
mkdir -p "$T_TMP/zfunc"
cp "$T_TMP/out" "$T_TMP/zfunc/_acmec"
check zsh/parses zsh -n "$T_TMP/zfunc/_acmec"
grep_in zsh/compdef "$T_TMP/zfunc/_acmec" '^#compdef acmec$'

# The real compsys in an interactive zsh on a pseudo-terminal: the line is
# typed, then TAB; a compadd wrapper writes down every candidate offered.
cat >"$T_TMP/zdrive.zsh" <<'EOF2'
# zsh -f zdrive.zsh FPATHDIR OUT LINE: complete LINE in an interactive zsh
# under zpty; the candidates compadd was given, one a line, in OUT.
zmodload zsh/zpty || exit 3
fdir=$1 out=$2 line=$3
: >$out
zpty z zsh -f -i
zpty -w z "PS1='' PROMPT='' fpath=($fdir \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z "compadd() {
	if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then
		builtin compadd \"\$@\"; return
	fi
	local -a __hits
	builtin compadd -A __hits \"\$@\"
	(( \$#__hits )) && print -rl -- \$__hits >>${(q)out}
	builtin compadd \"\$@\"
}"
zpty -w z "zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' menu no"
# What zsh prints, not the echo of what was typed (a terminal still in
# cooked mode echoes the line at once): r${:-eady} prints as ready.
zpty -w z "print r\${:-eady}-$$"
zpty -r -m z x "*ready-$$*" || exit 4
zpty -w -n z "$line"$'\t'
zpty -w z $'\C-u'"print d\${:-one}-$$"
zpty -r -m z x "*done-$$*" || exit 5
zpty -d z
EOF2
zcomp() {
	timeout 30 zsh -f "$T_TMP/zdrive.zsh" "$T_TMP/zfunc" "$T_TMP/c" \
	    "$1" >/dev/null 2>"$T_TMP/zerr"
}
zcase() { # zcase NAME LINE WANT...
	_zn=$1 _zl=$2
	shift 2
	zcomp "$_zl"
	check "zsh/$_zn-runs" test $? -eq 0 -a ! -s "$T_TMP/zerr"
	same "zsh/$_zn" "$T_TMP/c" "$@"
}
zcase re "acmec re" renew revoke
zcase commands "acmec " issue renew status revoke account check export import completion
zcase renew-flags "acmec renew --" --force --dry-run --jobs --metrics-file --pre-hook --post-hook --help
zcase revoke-flags "acmec revoke --" --cert --key --reason --issuer \
    --server --ca-bundle --help
zcase status-names "acmec -c $cfg status " www web shop/api blog/api
zcase config-eq-names "acmec --config=$cfg renew " www web shop/api blog/api
zcase issue-w "acmec -c $cfg issue w" www web
zcase bad-config "acmec -c $T_TMP/bad.yaml status "
zcase key-types "acmec issue --key-type ec" ec256 ec384
zcase dns-providers "acmec issue --dns=a" akamai acmeDNS azureDNS
zcase staging "acmec issue --stag" --staging
zcase account-actions "acmec account " register show update rekey \
    deactivate

# --- fish
expect fish/print 0 "$ACMEC" completion fish
cp "$T_TMP/out" "$T_TMP/acmec.fish"
check fish/parses fish --no-execute "$T_TMP/acmec.fish"

# fcase NAME LINE WANT...: fish's own completion of LINE, candidates only.
fcomp() {
	fish --no-config -c 'source $argv[1]; and complete -C $argv[2]' \
	    "$T_TMP/acmec.fish" "$1" >"$T_TMP/f" 2>"$T_TMP/ferr"
	_frc=$?
	cut -f1 "$T_TMP/f" >"$T_TMP/c"
	return $_frc
}
fcase() {
	_fn=$1 _fl=$2
	shift 2
	fcomp "$_fl"
	check "fish/$_fn-runs" test $? -eq 0 -a ! -s "$T_TMP/ferr"
	same "fish/$_fn" "$T_TMP/c" "$@"
}
fcase re "acmec re" renew revoke
fcase commands "acmec " issue renew status revoke account check export import completion
fcase renew-flags "acmec renew --" --force --dry-run --jobs --metrics-file --pre-hook --post-hook --help
fcase status-names "acmec -c $cfg status " www web shop/api blog/api
fcase config-eq-names "acmec --config=$cfg renew " www web shop/api blog/api
fcase issue-w "acmec -c $cfg issue w" www web
fcase dns-providers "acmec issue --dns r" route53 rfc2136
fcase staging "acmec issue --stag" --staging
fcase bad-config "acmec -c $T_TMP/bad.yaml status "
fcase key-types "acmec issue --key-type ec" ec256 ec384
fcase reasons "acmec revoke www --reason s" superseded

# --- every long flag a command's --help names, each shell offers after "--"
# (a flag added to acmec.c or acme/cmd/ goes into acme/cmd/completion.c too)
for c in "" issue renew status revoke account check export import; do
	"$ACMEC" $c --help | grep -o -- '--[a-z][a-z-]*' | sort -u \
	    >"$T_TMP/flags"
	check "flags/${c:-global}-some" test -s "$T_TMP/flags"
	for sh in b z f; do
		${sh}comp "acmec $c${c:+ }--"
		while read -r fl; do
			grep -qx -- "$fl" "$T_TMP/c" ||
			    fail "flags/$sh/${c:-global}$fl" "'acmec $c --help' names $fl; acme/cmd/completion.c does not offer it"
		done <"$T_TMP/flags"
	done
done
pass flags/checked

finish
