#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "acme/hook.h"
#include "acme/log.h"

int
hook_run(const struct strlist *argv, bool shell, const struct strlist *env,
    int timeout_s, const char *what)
{
	long long deadline = util_now_ms() + (long long)timeout_s * 1000;
	/* A cleanup started after a stop signal still runs to its end. */
	bool stoppable = !util_interrupted();
	char **args;
	size_t i;
	pid_t pid;
	int status, fd;

	if (argv->n == 0)
		return 0;
	args = util_alloc((argv->n + 4) * sizeof(*args));
	if (shell) {
		args[0] = "/bin/sh";
		args[1] = "-c";
		args[2] = argv->v[0];
	} else {
		for (i = 0; i < argv->n; i++)
			args[i] = argv->v[i];
	}
	fflush(stderr);
	if ((pid = fork()) < 0) {
		log_error("%s: cannot fork: %s", what, strerror(errno));
		free(args);
		return -1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		for (i = 0; i < env->n; i++)
			putenv(env->v[i]);
		if ((fd = open("/dev/null", O_RDONLY)) >= 0) {
			dup2(fd, 0);
			close(fd);
		}
		dup2(2, 1);
		/* Whatever other threads hold (the CA's connection, listener
		 * sockets, temp files) stays with acmec, O_CLOEXEC or not. */
		closefrom(3);
		signal(SIGPIPE, SIG_DFL);
		execvp(args[0], args);
		fprintf(stderr, "acmec: error: %s: cannot run %s: %s\n", what,
		    args[0], strerror(errno));
		_exit(127);
	}
	free(args);
	setpgid(pid, pid);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			log_error("%s: waitpid: %s", what, strerror(errno));
			return -1;
		}
		if (util_now_ms() >= deadline ||
		    (stoppable && util_interrupted())) {
			kill(-pid, SIGTERM);
			util_sleep_ms(500);
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			log_error("%s: %s after %d seconds; killed", what,
			    util_now_ms() < deadline ? "interrupted" :
			    "timed out",
			    timeout_s);
			return -1;
		}
		util_sleep_ms(20);
	}
	if (WIFEXITED(status)) {
		if (WEXITSTATUS(status) != 0)
			log_error("%s exited with status %d", what,
			    WEXITSTATUS(status));
		return WEXITSTATUS(status);
	}
	log_error("%s was killed by signal %d", what, WTERMSIG(status));
	return -1;
}
