#ifndef ACMEC_ACME_HOOK_H
#define ACMEC_ACME_HOOK_H

#include <stdbool.h>

#include "acme/util.h"

/*
 * Run a hook: argv executed directly, or with shell argv.v[0] given to
 * "sh -c" (a command the administrator wrote; names never go into it, only
 * into env).  env holds NAME=VALUE strings added to acmec's environment.
 * stdin is /dev/null, stdout goes to stderr.  After timeout_s seconds the
 * hook's process group is killed, and so it is at a stop signal that comes
 * while it runs (a hook started after one, a cleanup, runs to its end or
 * its timeout).  Returns the exit status (0 success), or
 * -1 if it could not run, was killed or timed out; what names it in the
 * messages, which are reported here.
 */
int hook_run(const struct strlist *argv, bool shell, const struct strlist *env,
    int timeout_s, const char *what);

#endif
