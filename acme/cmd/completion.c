/*
 * acmec completion bash|zsh|fish: print a completion script for that shell.
 * The scripts ask acmec itself for the Certificate names
 * ('acmec [-c CONFIG] completion --names'), so no shell parses YAML.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/cmd/cmd.h"
#include "acme/config/config.h"
#include "acme/log.h"

/* --dns PROVIDER, as acme/cmd/adhoc.c knows them. */
#define DNS_PROVIDERS "cloudflare digitalocean route53 azureDNS cloudDNS " \
	"akamai acmeDNS rfc2136"

/*
 * The scripts, a line an entry.  Each knows the commands and flags of
 * acmec.c and acme/cmd/: a new flag goes there too
 * (tests/e2e/completion.sh checks a few).
 */
static const char *const bash_script[] = {
	"# bash completion for acmec (from 'acmec completion bash')",
	"_acmec_names()",
	"{",
	"\tlocal bin=$1 cfg=$2 cur=$3 w",
	"\tlocal -a args=()",
	"",
	"\t[[ -n $cfg ]] && args=(-c \"$cfg\")",
	"\twhile IFS= read -r w; do",
	"\t\t[[ $w == \"$cur\"* ]] && COMPREPLY+=(\"$w\")",
	"\tdone < <(\"$bin\" \"${args[@]}\" completion --names 2>/dev/null)",
	"}",
	"",
	"_acmec_files()",
	"{",
	"\tcompopt -o filenames 2>/dev/null",
	"\tmapfile -t COMPREPLY < <(compgen \"$1\" -- \"$2\")",
	"}",
	"",
	"_acmec()",
	"{",
	"\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= bin=${COMP_WORDS[0]}",
	"\tlocal cfg= cmd= w i=1 opts= args=",
	"",
	"\tCOMPREPLY=()",
	"\t[[ $bin == */* ]] || bin=acmec",
	"\t(( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD-1]}",
	"\t# \"--flag=value\" arrives as three words: --flag, =, value.",
	"\tif [[ $cur == = ]]; then",
	"\t\tprev=${COMP_WORDS[COMP_CWORD-1]}",
	"\t\tcur=",
	"\telif [[ $prev == = ]] && (( COMP_CWORD > 1 )); then",
	"\t\tprev=${COMP_WORDS[COMP_CWORD-2]}",
	"\tfi",
	"\twhile (( i < COMP_CWORD )); do",
	"\t\tw=${COMP_WORDS[i]}",
	"\t\tcase $w in",
	"\t\t-c|--config|-s|--state-dir|--secrets-dir|--log-format)",
	"\t\t\t[[ ${COMP_WORDS[i+1]} == = ]] && i=$((i + 1))",
	"\t\t\ti=$((i + 1))",
	"\t\t\t[[ $w == -c || $w == --config ]] && cfg=${COMP_WORDS[i]}",
	"\t\t\t;;",
	"\t\t-c?*) cfg=${w#-c} ;;",
	"\t\t-*) ;;",
	"\t\t*) cmd=$w; break ;;",
	"\t\tesac",
	"\t\ti=$((i + 1))",
	"\tdone",
	"\t[[ $cfg == \"~/\"* ]] && cfg=$HOME/${cfg#\"~/\"}",
	"\t# Words after the command that are neither flags nor their values.",
	"\tlocal j npos=0 v=\" -d --domain --server --email --webroot "
	    "--key-type \"",
	"\tv+=\"--ca-bundle --out -j --jobs --cert --key --reason --issuer \"",
	"\tv+=\"--metrics-file --format --warn --crit --pre-hook --post-hook \"",
	"\tv+=\"--namespace \"",
	"\tv+=\"--eab-kid --profile --preferred-chain --dns --dns-hook "
	    "--dns-resolver --deploy-hook --csr \"",
	"\tfor (( j = i + 1; j < COMP_CWORD; j++ )); do",
	"\t\tw=${COMP_WORDS[j-1]}",
	"\t\t[[ $w == = ]] && w=${COMP_WORDS[j-2]}",
	"\t\t[[ ${COMP_WORDS[j]} == -* || ${COMP_WORDS[j]} == = ||",
	"\t\t    $v == *\" $w \"* ]] || npos=$((npos + 1))",
	"\tdone",
	"\tcase $cmd in",
	"\t'')",
	"\t\topts=\"-c --config -s --state-dir --secrets-dir -v "
	    "--verbose -q --quiet --log-format -h --help -V --version\"",
	"\t\targs=\"issue renew status revoke account check export "
	    "import completion\"",
	"\t\t;;",
	"\tissue)",
	"\t\topts=\"-d --domain --server --staging --email --eab-kid "
	    "--profile --preferred-chain --standalone --tls-alpn --webroot "
	    "--dns --dns-hook --dns-resolver --key-type --ca-bundle --out "
	    "--deploy-hook --pre-hook --post-hook --dry-run --csr -j --jobs "
	    "--json -h --help\"",
	"\t\t;;",
	"\trenew) opts=\"-f --force --dry-run -j --jobs --metrics-file "
	    "--pre-hook --post-hook -h --help\" ;;",
	"\tstatus) opts=\"--json --format --check --warn --crit -h --help\" ;;",
	"\trevoke) opts=\"--cert --key --reason --issuer --server "
	    "--ca-bundle -h --help\" ;;",
	"\taccount)",
	"\t\topts=\"--issuer --email --key-type -h --help\"",
	"\t\targs=\"register show update rekey deactivate\"",
	"\t\t;;",
	"\tcheck) opts=\"--online -h --help\" ;;",
	"\tcompletion) args=\"bash zsh fish\" ;;",
	"\texport) opts=\"--namespace --include-keys -h --help\" ;;",
	"\timport) opts=\"--force -h --help\" ;;",
	"\t*) return 0 ;;",
	"\tesac",
	"\tcase $prev in",
	"\t-c|--config|--ca-bundle|--cert|--key|--csr)",
	"\t\t[[ -z $cmd || $prev != -c && $prev != --config ]] &&",
	"\t\t\t{ _acmec_files -f \"$cur\"; return 0; } ;;",
	"\t-s|--state-dir|--secrets-dir)",
	"\t\t[[ -z $cmd ]] && { _acmec_files -d \"$cur\"; return 0; } ;;",
	"\t--webroot|--out)",
	"\t\t[[ $cmd == issue ]] && { _acmec_files -d \"$cur\"; return "
	    "0; } ;;",
	"\t--dns)",
	"\t\t[[ $cmd == issue ]] && { mapfile -t COMPREPLY < <(compgen "
	    "-W \"" DNS_PROVIDERS "\" -- \"$cur\"); return 0; } ;;",
	"\t--dns-hook)",
	"\t\t[[ $cmd == issue ]] && { _acmec_files -f \"$cur\"; return "
	    "0; } ;;",
	"\t--key-type)",
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"ec256 ec384 rsa2048 "
	    "rsa3072 rsa4096 ed25519\" -- \"$cur\")",
	"\t\treturn 0 ;;",
	"\t--log-format)",
	"\t\t[[ -z $cmd ]] && { mapfile -t COMPREPLY < <(compgen -W "
	    "\"text json\" -- \"$cur\"); return 0; } ;;",
	"\t--format)",
	"\t\t[[ $cmd == status ]] && { mapfile -t COMPREPLY < <(compgen "
	    "-W \"table json prometheus\" -- \"$cur\"); return 0; } ;;",
	"\t--metrics-file)",
	"\t\t[[ $cmd == renew ]] && { _acmec_files -f \"$cur\"; return "
	    "0; } ;;",
	"\t--pre-hook|--post-hook)",
	"\t\t[[ $cmd == issue || $cmd == renew ]] && { mapfile -t "
	    "COMPREPLY < <(compgen -c -- \"$cur\"); return 0; } ;;",
	"\t--warn|--crit)",
	"\t\t[[ $cmd == status ]] && return 0 ;;",
	"\t--reason)",
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"unspecified "
	    "keyCompromise affiliationChanged superseded "
	    "cessationOfOperation\" -- \"$cur\")",
	"\t\treturn 0 ;;",
	"\t-d|--domain|--server|--email|--issuer|-j|--jobs|--namespace)",
	"\t\t[[ -n $cmd ]] && return 0 ;;",
	"\tesac",
	"\tif [[ $cur == -* ]]; then",
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"$opts\" -- \"$cur\")",
	"\t\treturn 0",
	"\tfi",
	"\t# account, completion and revoke take one.",
	"\t[[ $cmd == @(account|completion|revoke) ]] && (( npos > 0 )) &&",
	"\t\treturn 0",
	"\tcase $cmd in",
	"\tissue|renew|status|revoke|check|export) _acmec_names \"$bin\" "
	    "\"$cfg\" \"$cur\" ;;",
	"\timport) _acmec_files -f \"$cur\" ;;",
	"\t*) mapfile -t COMPREPLY < <(compgen -W \"$args\" -- \"$cur\") ;;",
	"\tesac",
	"\treturn 0",
	"}",
	"complete -F _acmec acmec",
	NULL,
};

static const char *const zsh_script[] = {
	"#compdef acmec",
	"# zsh completion for acmec (from 'acmec completion zsh')",
	"",
	"_acmec_names() {",
	"\tlocal -a args names",
	"\t[[ -n $_acmec_cfg ]] && args=(-c $_acmec_cfg)",
	"\tnames=(${(f)\"$(_call_program names ${(q)_acmec_bin} "
	    "${(q)args} completion --names 2>/dev/null)\"})",
	"\t_describe -t certificates 'certificate' names",
	"}",
	"",
	"_acmec_commands() {",
	"\tlocal -a cmds",
	"\tcmds=(",
	"\t\t'issue:obtain certificates now, due or not'",
	"\t\t'renew:renew what is due'",
	"\t\t'status:show certificates and their last orders'",
	"\t\t'revoke:revoke a certificate'",
	"\t\t'account:register, show, update, rekey, deactivate'",
	"\t\t'check:validate the configuration (or probe the CA and solvers)'",
	"\t\t'export:print Kubernetes manifests for cert-manager'",
	"\t\t'import:install Secrets kubectl printed'",
	"\t\t'completion:print a shell completion script'",
	"\t)",
	"\t_describe -t commands 'acmec command' cmds",
	"}",
	"",
	"_acmec() {",
	"\tlocal curcontext=$curcontext state line ret=1 i w",
	"\tlocal _acmec_bin=${(Q)words[1]} _acmec_cfg=",
	"\ttypeset -A opt_args",
	"",
	"\tfor (( i = 2; i < CURRENT; i++ )); do",
	"\t\tw=${(Q)words[i]}",
	"\t\tcase $w in",
	"\t\t-c|--config) _acmec_cfg=${(Q)words[i+1]}; (( i++ )) ;;",
	"\t\t--config=*) _acmec_cfg=${w#--config=} ;;",
	"\t\t-c?*) _acmec_cfg=${w#-c} ;;",
	"\t\t-s|--state-dir|--secrets-dir|--log-format) (( i++ )) ;;",
	"\t\t-*) ;;",
	"\t\t*) break ;;",
	"\t\tesac",
	"\tdone",
	"\t[[ $_acmec_cfg == '~/'* ]] && _acmec_cfg=$HOME/${_acmec_cfg#\\~/}",
	"\t_arguments -C \\",
	"\t\t'(-c --config)'{-c+,--config=}'[configuration file or "
	    "directory]:configuration:_files' \\",
	"\t\t'(-s --state-dir)'{-s+,--state-dir=}'[state "
	    "directory]:directory:_files -/' \\",
	"\t\t'--secrets-dir=[where Secrets live]:directory:_files -/' \\",
	"\t\t'(-q --quiet)*'{-v,--verbose}'[more detail on stderr]' \\",
	"\t\t'(-v --verbose -q --quiet)'{-q,--quiet}'[errors only]' \\",
	"\t\t'--log-format=[messages on stderr as]:format:(text json)' \\",
	"\t\t'(- *)'{-h,--help}'[show the usage]' \\",
	"\t\t'(- *)'{-V,--version}'[print the version]' \\",
	"\t\t'1:command:_acmec_commands' \\",
	"\t\t'*::argument:->args' && ret=0",
	"\t[[ $state == args ]] || return ret",
	"\tcurcontext=${curcontext%:*:*}:acmec-$words[1]:",
	"\tcase $words[1] in",
	"\tissue)",
	"\t\t_arguments -S \\",
	"\t\t\t'*'{-d+,--domain=}'[a name of an ad hoc "
	    "certificate]:name:_hosts' \\",
	"\t\t\t'--server=[the CA directory URL]:url:_urls' \\",
	"\t\t\t'--email=[account contact]:address:' \\",
	"\t\t\t'--staging[Let'\\''s Encrypt'\\''s staging CA]' \\",
	"\t\t\t'--eab-kid=[external account binding key ID]:id:' \\",
	"\t\t\t'--profile=[the CA'\\''s certificate profile]:profile:' \\",
	"\t\t\t'--preferred-chain=[the chain whose top is "
	    "named]:name:' \\",
	"\t\t\t'--dns=[answer dns-01 through a provider]:provider:("
	    DNS_PROVIDERS ")' \\",
	"\t\t\t'--dns-hook=[answer dns-01 through this "
	    "program]:program:_files' \\",
	"\t\t\t'*--dns-resolver=[ask this resolver for "
	    "dns-01]:host\\:port:' \\",
	"\t\t\t'--deploy-hook=[run after the files are written]:command:' "
	    "\\",
	"\t\t\t'--standalone[answer http-01 on port 80 or ADDR:PORT]' \\",
	"\t\t\t'--tls-alpn[answer tls-alpn-01 on port 443 or ADDR:PORT]' \\",
	"\t\t\t'--webroot=[answer http-01 from this "
	    "directory]:directory:_files -/' \\",
	"\t\t\t'--key-type=[certificate key]:type:(ec256 ec384 rsa2048 "
	    "rsa3072 rsa4096 ed25519)' \\",
	"\t\t\t'--ca-bundle=[CA certificates for the server]:file:_files' \\",
	"\t\t\t'--out=[write the files here]:directory:_files -/' \\",
	"\t\t\t'--csr=[order for this CSR, made elsewhere]:file:_files' \\",
	"\t\t\t'(-j --jobs)'{-j+,--jobs=}'[orders at once]:number:' \\",
	"\t\t\t'--json[print what was written, as JSON]' \\",
	"\t\t\t'--pre-hook=[run before the first order]:command:"
	    "_command_names -e' \\",
	"\t\t\t'--post-hook=[run after the last order]:command:"
	    "_command_names -e' \\",
	"\t\t\t'--dry-run[order and drop, write nothing]' \\",
	"\t\t\t'(- *)'{-h,--help}'[show the usage]' \\",
	"\t\t\t'*:certificate:_acmec_names' && ret=0 ;;",
	"\trenew)",
	"\t\t_arguments -S \\",
	"\t\t\t'(-f --force)'{-f,--force}'[renew whether due or not]' \\",
	"\t\t\t'--dry-run[order and drop, write nothing]' \\",
	"\t\t\t'(-j --jobs)'{-j+,--jobs=}'[orders at once]:number:' \\",
	"\t\t\t'--metrics-file=[write metrics here after the "
	    "run]:file:_files' \\",
	"\t\t\t'--pre-hook=[run before the first order]:command:"
	    "_command_names -e' \\",
	"\t\t\t'--post-hook=[run after the last order]:command:"
	    "_command_names -e' \\",
	"\t\t\t'(- *)'{-h,--help}'[show the usage]' \\",
	"\t\t\t'*:certificate:_acmec_names' && ret=0 ;;",
	"\tstatus)",
	"\t\t_arguments -S \\",
	"\t\t\t'--json[print JSON]' \\",
	"\t\t\t'--format=[output]:format:(table json prometheus)' \\",
	"\t\t\t'--check[one Nagios line, exit 0 1 2 3]' \\",
	"\t\t\t'--warn=[warning when one expires within]:duration:' \\",
	"\t\t\t'--crit=[critical when one expires within]:duration:' \\",
	"\t\t\t'(- *)'{-h,--help}'[show the usage]' \\",
	"\t\t\t'*:certificate:_acmec_names' && ret=0 ;;",
	"\trevoke)",
	"\t\t_arguments -S \\",
	"\t\t\t'--cert=[the certificate to revoke]:file:_files' \\",
	"\t\t\t'--key=[sign with the certificate key]:file:_files' \\",
	"\t\t\t'--reason=[revocation reason]:reason:(unspecified "
	    "keyCompromise affiliationChanged superseded "
	    "cessationOfOperation)' \\",
	"\t\t\t'--issuer=[the issuer whose account signs]:issuer:' \\",
	"\t\t\t'--server=[the CA directory URL]:url:_urls' \\",
	"\t\t\t'--ca-bundle=[CA certificates for the server]:file:_files' \\",
	"\t\t\t'(- *)'{-h,--help}'[show the usage]' \\",
	"\t\t\t'1:certificate:_acmec_names' && ret=0 ;;",
	"\taccount)",
	"\t\t_arguments -S \\",
	"\t\t\t'--issuer=[the issuer of the account]:issuer:' \\",
	"\t\t\t'--email=[new contact (update)]:address:' \\",
	"\t\t\t'--key-type=[the new key (rekey)]:type:(ec256 ec384 "
	    "rsa2048 rsa3072 rsa4096 ed25519)' \\",
	"\t\t\t'(- *)'{-h,--help}'[show the usage]' \\",
	"\t\t\t'1:action:(register show update rekey deactivate)' && ret=0 ;;",
	"\tcheck)",
	"\t\t_arguments -S \\",
	"\t\t\t'--online[probe the CA, the account and the solvers]' \\",
	"\t\t\t'(- *)'{-h,--help}'[show the usage]' \\",
	"\t\t\t'*:certificate:_acmec_names' && ret=0 ;;",
	"\tcompletion)",
	"\t\t_arguments '1:shell:(bash zsh fish)' && ret=0 ;;",
	"\texport)",
	"\t\t_arguments -S \\",
	"\t\t\t'--namespace=[for objects that name none]:namespace:' \\",
	"\t\t\t'--include-keys[include the private keys]' \\",
	"\t\t\t'(- *)'{-h,--help}'[show the usage]' \\",
	"\t\t\t'*:certificate:_acmec_names' && ret=0 ;;",
	"\timport)",
	"\t\t_arguments -S \\",
	"\t\t\t'--force[replace newer certificates too]' \\",
	"\t\t\t'(- *)'{-h,--help}'[show the usage]' \\",
	"\t\t\t'*:file:_files' && ret=0 ;;",
	"\tesac",
	"\treturn ret",
	"}",
	"",
	"if [[ $zsh_eval_context[-1] == loadautofunc ]]; then",
	"\t_acmec \"$@\"",
	"else",
	"\tcompdef _acmec acmec",
	"fi",
	NULL,
};

static const char *const fish_script[] = {
	"# fish completion for acmec (from 'acmec completion fish')",
	"function __acmec_scan",
	"\t# Prints the command (or nothing), then the -c value (or nothing).",
	"\tset -l toks (commandline -opc)",
	"\tset -l cmd",
	"\tset -l cfg",
	"\tset -l i 2",
	"\twhile test $i -le (count $toks)",
	"\t\tset -l w $toks[$i]",
	"\t\tswitch $w",
	"\t\t\tcase -c --config",
	"\t\t\t\tset i (math $i + 1)",
	"\t\t\t\tset cfg $toks[$i]",
	"\t\t\tcase '--config=*'",
	"\t\t\t\tset cfg (string replace -- --config= '' $w)",
	"\t\t\tcase '-c?*'",
	"\t\t\t\tset cfg (string sub -s 3 -- $w)",
	"\t\t\tcase -s --state-dir --secrets-dir --log-format",
	"\t\t\t\tset i (math $i + 1)",
	"\t\t\tcase '-*'",
	"\t\t\tcase '*'",
	"\t\t\t\tset cmd $w",
	"\t\t\t\tbreak",
	"\t\tend",
	"\t\tset i (math $i + 1)",
	"\tend",
	"\techo \"$cmd\"",
	"\techo \"$cfg\"",
	"end",
	"",
	"function __acmec_no_command",
	"\tset -l s (__acmec_scan)",
	"\ttest -z \"$s[1]\"",
	"end",
	"",
	"function __acmec_using",
	"\tset -l s (__acmec_scan)",
	"\tcontains -- \"$s[1]\" $argv",
	"end",
	"",
	"function __acmec_names",
	"\tset -l s (__acmec_scan)",
	"\tset -l bin (commandline -opc)[1]",
	"\tstring match -q -- '*/*' $bin; or set bin acmec",
	"\tif test -n \"$s[2]\"",
	"\t\t$bin -c $s[2] completion --names 2>/dev/null",
	"\telse",
	"\t\t$bin completion --names 2>/dev/null",
	"\tend",
	"end",
	"",
	"complete -c acmec -f",
	"complete -c acmec -n __acmec_no_command -s c -l config -r "
	    "-F -d 'configuration file or directory'",
	"complete -c acmec -n __acmec_no_command -s s -l state-dir "
	    "-x -a '(__fish_complete_directories)' -d 'state directory'",
	"complete -c acmec -n __acmec_no_command -l secrets-dir -x "
	    "-a '(__fish_complete_directories)' -d 'where Secrets live'",
	"complete -c acmec -n __acmec_no_command -s v -l verbose -d "
	    "'more detail on stderr'",
	"complete -c acmec -n __acmec_no_command -s q -l quiet -d "
	    "'errors only'",
	"complete -c acmec -n __acmec_no_command -l log-format -x -a "
	    "'text json' -d 'messages on stderr as'",
	"complete -c acmec -n '__acmec_using issue' -l json -d "
	    "'print what was written, as JSON'",
	"complete -c acmec -n '__acmec_using renew' -l metrics-file -r "
	    "-F -d 'write metrics here after the run'",
	"complete -c acmec -n '__acmec_using issue renew' -l pre-hook -x "
	    "-a '(__fish_complete_command)' -d 'run before the first order'",
	"complete -c acmec -n '__acmec_using issue renew' -l post-hook -x "
	    "-a '(__fish_complete_command)' -d 'run after the last order'",
	"complete -c acmec -n '__acmec_using status' -l format -x -a "
	    "'table json prometheus' -d output",
	"complete -c acmec -n '__acmec_using status' -l check -d "
	    "'one Nagios line, exit 0 1 2 3'",
	"complete -c acmec -n '__acmec_using status' -l warn -x -d "
	    "'warning when one expires within'",
	"complete -c acmec -n '__acmec_using status' -l crit -x -d "
	    "'critical when one expires within'",
	"complete -c acmec -n __acmec_no_command -s h -l help -d "
	    "'show the usage'",
	"complete -c acmec -n __acmec_no_command -s V -l version -d "
	    "'print the version'",
	"complete -c acmec -n __acmec_no_command -a issue -d 'obtain "
	    "certificates now, due or not'",
	"complete -c acmec -n __acmec_no_command -a renew -d 'renew "
	    "what is due'",
	"complete -c acmec -n __acmec_no_command -a status -d 'show "
	    "certificates and their last orders'",
	"complete -c acmec -n __acmec_no_command -a revoke -d "
	    "'revoke a certificate'",
	"complete -c acmec -n __acmec_no_command -a account -d "
	    "'register, show, update, rekey, deactivate'",
	"complete -c acmec -n __acmec_no_command -a check -d "
	    "'validate the configuration (or probe the CA and solvers)'",
	"complete -c acmec -n '__acmec_using check' -l online -d "
	    "'probe the CA, the account and the solvers'",
	"complete -c acmec -n __acmec_no_command -a completion -d "
	    "'print a shell completion script'",
	"complete -c acmec -n __acmec_no_command -a export -d "
	    "'print Kubernetes manifests for cert-manager'",
	"complete -c acmec -n __acmec_no_command -a import -d "
	    "'install Secrets kubectl printed'",
	"complete -c acmec -n '__acmec_using export' -a "
	    "'(__acmec_names)' -d Certificate",
	"complete -c acmec -n '__acmec_using export' -l namespace -x -d "
	    "'for objects that name none'",
	"complete -c acmec -n '__acmec_using export' -l include-keys -d "
	    "'include the private keys'",
	"complete -c acmec -n '__acmec_using import' -l force -d "
	    "'replace newer certificates too'",
	"complete -c acmec -n '__acmec_using import' -r -F",
	"complete -c acmec -n '__acmec_using export import' -s h -l help "
	    "-d 'show the usage'",
	"complete -c acmec -n '__acmec_using issue renew status "
	    "revoke check' -a '(__acmec_names)' -d Certificate",
	"complete -c acmec -n '__acmec_using issue renew status "
	    "revoke account check' -s h -l help -d 'show the usage'",
	"complete -c acmec -n '__acmec_using issue' -s d -l domain "
	    "-x -d 'a name of an ad hoc certificate'",
	"complete -c acmec -n '__acmec_using issue revoke' -l server "
	    "-x -d 'the CA directory URL'",
	"complete -c acmec -n '__acmec_using issue account' -l email "
	    "-x -d 'account contact'",
	"complete -c acmec -n '__acmec_using issue' -l standalone -d "
	    "'answer http-01 on port 80 or ADDR:PORT'",
	"complete -c acmec -n '__acmec_using issue' -l tls-alpn -d "
	    "'answer tls-alpn-01 on port 443 or ADDR:PORT'",
	"complete -c acmec -n '__acmec_using issue' -l webroot -x -a "
	    "'(__fish_complete_directories)' -d 'answer http-01 from "
	    "this directory'",
	"complete -c acmec -n '__acmec_using issue' -l staging -d "
	    "'Let'\\''s Encrypt'\\''s staging CA'",
	"complete -c acmec -n '__acmec_using issue' -l eab-kid -x -d "
	    "'external account binding key ID'",
	"complete -c acmec -n '__acmec_using issue' -l profile -x -d "
	    "'the CA'\\''s certificate profile'",
	"complete -c acmec -n '__acmec_using issue' -l preferred-chain -x "
	    "-d 'the chain whose top is named'",
	"complete -c acmec -n '__acmec_using issue' -l dns -x -a '"
	    DNS_PROVIDERS "' -d 'answer dns-01 through a provider'",
	"complete -c acmec -n '__acmec_using issue' -l dns-hook -r -F -d "
	    "'answer dns-01 through this program'",
	"complete -c acmec -n '__acmec_using issue' -l dns-resolver -x -d "
	    "'ask this resolver for dns-01'",
	"complete -c acmec -n '__acmec_using issue' -l deploy-hook -x -d "
	    "'run after the files are written'",
	"complete -c acmec -n '__acmec_using account' -l key-type -x "
	    "-a 'ec256 ec384 rsa2048 rsa3072 rsa4096 ed25519' -d "
	    "'the new key (rekey)'",
	"complete -c acmec -n '__acmec_using issue' -l key-type -x "
	    "-a 'ec256 ec384 rsa2048 rsa3072 rsa4096 ed25519' -d "
	    "'certificate key'",
	"complete -c acmec -n '__acmec_using issue revoke' -l "
	    "ca-bundle -r -F -d 'CA certificates for the server'",
	"complete -c acmec -n '__acmec_using issue' -l csr -r -F -d "
	    "'order for this CSR, made elsewhere'",
	"complete -c acmec -n '__acmec_using issue' -l out -x -a "
	    "'(__fish_complete_directories)' -d 'write the files here'",
	"complete -c acmec -n '__acmec_using issue renew' -s j -l "
	    "jobs -x -d 'orders at once'",
	"complete -c acmec -n '__acmec_using renew' -s f -l force -d "
	    "'renew whether due or not'",
	"complete -c acmec -n '__acmec_using issue renew' -l dry-run -d "
	    "'order and drop, write nothing'",
	"complete -c acmec -n '__acmec_using status' -l json -d 'print JSON'",
	"complete -c acmec -n '__acmec_using revoke' -l cert -r -F "
	    "-d 'the certificate to revoke'",
	"complete -c acmec -n '__acmec_using revoke' -l key -r -F -d "
	    "'sign with the certificate key'",
	"complete -c acmec -n '__acmec_using revoke' -l reason -x -a "
	    "'unspecified keyCompromise affiliationChanged superseded "
	    "cessationOfOperation' -d 'revocation reason'",
	"complete -c acmec -n '__acmec_using revoke account' -l "
	    "issuer -x -d 'the issuer'",
	"complete -c acmec -n '__acmec_using account' -a 'register "
	    "show update rekey deactivate' -d action",
	"complete -c acmec -n '__acmec_using completion' -a 'bash "
	    "zsh fish' -d shell",
	NULL,
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: acmec completion bash|zsh|fish\n"
	    "\n"
	    "Prints a completion script for that shell; README says where "
	    "to install it.\n");
}

/*
 * Does another Certificate that acmec runs have c's name?  Then the name
 * alone is ambiguous and NAMESPACE/NAME is offered.
 */
static bool
name_shared(const struct config *cfg, const struct cfg_cert *c)
{
	size_t i;

	for (i = 0; i < cfg->ncerts; i++)
		if (&cfg->certs[i] != c &&
		    strcmp(cfg->certs[i].name, c->name) == 0)
			return true;
	return false;
}

/*
 * --names: the Certificates acmec runs, one a line, as the commands take
 * them.  Run while a shell completes a word: nothing reaches the terminal
 * but the names, and a bad configuration lists none.
 */
static int
print_names(const struct globals *g)
{
	struct config cfg = { 0 };
	const struct cfg_cert *c;
	size_t i;
	int rc = EXIT_USAGE;

	log_discard(true);
	if (config_load(g->config, &cfg) < 0)
		goto out;
	for (i = 0; i < cfg.ncerts; i++) {
		c = &cfg.certs[i];
		if (!config_cert_runs(c))
			continue;
		if (name_shared(&cfg, c))
			printf("%s/%s\n", c->namespace, c->name);
		else
			printf("%s\n", c->name);
	}
	rc = EXIT_OK;
out:
	config_free(&cfg);
	return rc;
}

int
cmd_completion(const struct globals *g, int argc, char **argv)
{
	static const struct {
		const char *shell;
		const char *const *script;
	} shells[] = {
		{ "bash", bash_script },
		{ "zsh", zsh_script },
		{ "fish", fish_script },
	};
	const char *const *line;
	size_t i;

	if (argc == 2 && strcmp(argv[1], "--names") == 0)
		return print_names(g);
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; argc == 2 && i < sizeof(shells) / sizeof(shells[0]); i++)
		if (strcmp(argv[1], shells[i].shell) == 0)
			break;
	if (argc != 2 || i == sizeof(shells) / sizeof(shells[0])) {
		if (argc > 2)
			log_error("completion: give one shell, not several "
			    "words");
		else if (argc == 2)
			log_error("completion: '%s' is not a shell acmec "
			    "completes; give bash, zsh or fish",
			    log_esc(argv[1]));
		usage(stderr);
		return EXIT_USAGE;
	}
	for (line = shells[i].script; *line != NULL; line++)
		printf("%s\n", *line);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
}
