/*
 * main.c - reincd's entry point: options, the runtime directory and its
 * public socket, and the one epoll loop that drives everything else.
 *
 * The loop dispatches on struct watch: new connections, control frames,
 * instance deaths (pidfd), service output, our own signals, and the tick
 * timer for heartbeats and back-offs.  Nothing else waits anywhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "reincd.h"


static void usage(void)
{
	fprintf(stderr,
	    "usage: reincd [-c SYSTEM.CONF] [-r RUNTIME_DIR] [-v] [-tick D] "
	    "[-init-time D] [-stop-grace D]\n"
	    "              [-ds PATH|none] [-ds-arg ARG]... [-event-subs N]\n"
	    "              [-event-timeout D|0]\n"
	    "Durations: 500ms, 2s, 5HZ (5 s), or MINIX ticks (60 per s).\n");
	exit(2);
}

static int64_t duration_arg(const char *opt, const char *v)
{
	int64_t ms;
	if (!v || proto_parse_duration(v, &ms) < 0 || ms <= 0) {
		fprintf(stderr, "reincd: %s: bad duration '%s'\n", opt,
		        v ? v : "");
		exit(2);
	}
	return ms;
}

static const char *ds_path;     /* NULL: dsd beside reincd */
static const char *conf_file;   /* -c FILE */
static int ds_off;
static char *ds_args[64];
static int ds_nargs;

static void parse_args(int argc, char **argv)
{
	const char *dir = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-r") && v)
			dir = argv[++i];
		else if (!strcmp(a, "-c") && v)
			conf_file = argv[++i];
		else if (!strcmp(a, "-v"))
			cfg.verbose = 1;
		else if (!strcmp(a, "-tick"))
			cfg.tick_ms = duration_arg(a, v), i++;
		else if (!strcmp(a, "-init-time"))
			cfg.init_ms = duration_arg(a, v), i++;
		else if (!strcmp(a, "-stop-grace"))
			cfg.grace_ms = duration_arg(a, v), i++;
		else if (!strcmp(a, "-event-timeout") && v && !strcmp(v, "0"))
			cfg.event_timeout_ms = 0, i++;
		else if (!strcmp(a, "-event-timeout"))
			cfg.event_timeout_ms = duration_arg(a, v), i++;
		else if (!strcmp(a, "-event-subs") && v) {
			char *end;
			long n = strtol(v, &end, 10);
			if (*v == '\0' || *end || n < 1 || n > 1024) {
				fprintf(stderr, "reincd: -event-subs: a number "
				        "from 1 to 1024\n");
				exit(2);
			}
			cfg.event_subs = (int)n;
			i++;
		}
		else if (!strcmp(a, "-ds") && v) {
			ds_off = !strcmp(v, "none");
			ds_path = ds_off ? NULL : v;
			i++;
		} else if (!strcmp(a, "-ds-arg") && v) {
			if (ds_nargs == (int)(sizeof(ds_args) / sizeof(ds_args[0]))) {
				fprintf(stderr, "reincd: too many -ds-arg\n");
				exit(2);
			}
			ds_args[ds_nargs++] = argv[++i];
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			usage();
		else {
			fprintf(stderr, "reincd: unknown option '%s'\n", a);
			usage();
		}
	}
	if (dir) {
		if (snprintf(cfg.rundir, sizeof(cfg.rundir), "%s", dir) >=
		    (int)sizeof(cfg.rundir))
			fatal("runtime directory name too long");
	} else if (proto_runtime_dir(cfg.rundir, sizeof(cfg.rundir)) < 0)
		fatal("runtime directory name too long");
	/* services and reinc find us through the environment */
	setenv("REINC_RUNTIME_DIR", cfg.rundir, 1);
}

static int open_public_socket(void)
{
	char path[PATH_MAX + 64];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (mkdir(cfg.rundir, 0755) < 0 && errno != EEXIST)
		fatal("cannot create %s: %s", cfg.rundir, strerror(errno));
	snprintf(path, sizeof(path), "%s/reincd.lock", cfg.rundir);
	int lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lock < 0)
		fatal("cannot open %s: %s", path, strerror(errno));
	if (flock(lock, LOCK_EX | LOCK_NB) < 0)
		fatal("another reincd is running in %s", cfg.rundir);
	/* the lock stays held (and open) for our lifetime */

	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s",
	                     cfg.rundir, REINC_SOCK_NAME) >= sizeof(sa.sun_path))
		fatal("runtime directory name too long for a socket");
	unlink(sa.sun_path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		fatal("socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fatal("cannot bind %s: %s", sa.sun_path, strerror(errno));
	/* anyone may connect; requests are authorised from SO_PEERCRED */
	chmod(sa.sun_path, 0666);
	if (listen(fd, 128) < 0)
		fatal("listen: %s", strerror(errno));
	return fd;
}

static void accept_clients(int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				log_warn("cannot accept a client: %s",
				         strerror(errno));
			return;
		}
		if (!conn_new(fd, NULL))
			close(fd);
	}
}

static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	cfg.uid = geteuid();
	raise_fd_limit();
	/* Dispositions are inherited, and a shell starting us in the
	 * background ignores SIGINT and SIGQUIT: an ignored signal is lost
	 * even while blocked, for our signalfd and our services' alike. */
	for (int sig = 1; sig < SIGRTMIN; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	/* Output lines are written whole; make them appear in order. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (conf_file) {
		char err[600];
		if (boot_load(conf_file, err, sizeof(err)) < 0) {
			fprintf(stderr, "reincd: %s\n", err);
			exit(2);
		}
	}
	if (loop_init() < 0)
		fatal("epoll: %s", strerror(errno));
	int r = pev_init();
	if (r < 0)
		fatal("process events page: %s", strerror(-r));

	int lfd = open_public_socket();
	static struct watch wl = { .kind = W_LISTEN };
	loop_add(lfd, &wl, EPOLLIN);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	static struct watch ws = { .kind = W_SIGNAL };
	loop_add(sfd, &ws, EPOLLIN);


	log_info("serving in %s (pid %d)", cfg.rundir, (int)getpid());
	/* MINIX's boot image: the data store before any other service */
	if (!ds_off)
		naming_start(ds_path, ds_args, ds_nargs);
	boot_kick();    /* -c FILE: what can start at once */

	for (;;) {
		struct epoll_event evs[64];
		int n = loop_wait(evs, 64);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fatal("epoll_wait: %s", strerror(errno));
		}
		for (int i = 0; i < n; i++) {
			struct watch *w = evs[i].data.ptr;
			switch (w->kind) {
			case W_LISTEN:
				accept_clients(lfd);
				break;
			case W_CONN:
				if (evs[i].events & EPOLLOUT)
					conn_writable(w->obj);
				if (evs[i].events & ~(uint32_t)EPOLLOUT)
					conn_readable(w->obj);
				break;
			case W_PIDFD:
				svc_died(w->obj);
				break;
			case W_OUTPUT:
				svc_output(w->obj);
				break;
			case W_SCRIPT:
				svc_script_done(w);
				break;
			case W_TIMER:
				loop_timer_fired();
				svc_tick(now_ms());
				break;
			case W_SIGNAL: {
				struct signalfd_siginfo si;
				while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
					if (!shutting_down)
						log_info("signal %d: shutting down",
						         (int)si.ssi_signo);
					svc_shutdown();
				}
				break;
			}
			}
		}
		loop_bury();
		svc_idle();
		naming_idle();
		if (shutting_down && svc_count() == 0) {
			log_info("all services down, exiting");
			unlink(cfg.rundir); /* fails unless empty: fine */
			char path[PATH_MAX + 64];
			snprintf(path, sizeof(path), "%s/%s", cfg.rundir,
			         REINC_SOCK_NAME);
			unlink(path);
			return 0;
		}
	}
}
