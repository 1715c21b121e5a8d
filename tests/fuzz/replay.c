/*
 * replay.c - a main() for reinc's fuzz targets without libFuzzer.
 *
 * `make check` links every tests/fuzz/fuzz_*.c with this file and runs
 *
 *     build/tests/fuzz/fuzz_NAME tests/fuzz/corpus/NAME [FILE|DIR]...
 *
 * which feeds every file (directories are read one level deep, in name
 * order, skipping dot files) to LLVMFuzzerTestOneInput, each in a buffer
 * of exactly its size so that AddressSanitizer sees any over-read.  So
 * every input libFuzzer ever found - crashes included - is replayed
 * forever by a plain gcc build.  One line per argument:
 *
 *     ok - replay DIR (N inputs)
 *     not ok - replay DIR: crashed on FILE (signal 11)
 *
 * Each argument is replayed in a child process with a per-input timeout
 * (REPLAY_TIMEOUT seconds, default 10) so that the line names the guilty
 * file.  Exit status 0 iff every argument passed.  This is not a fuzzer:
 * it does no mutation and gathers no coverage.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* UndefinedBehaviorSanitizer (make SANITIZER=address,undefined) only
 * prints by default; here, as under libFuzzer, an input that once caused
 * undefined behaviour must fail the replay.  The runtime calls this if
 * present; $UBSAN_OPTIONS still overrides it.  Unused without UBSan. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

/* Shared with the parent: the input being run, for the report. */
struct shared {
	char current[PATH_MAX];
	char error[256];
};
static struct shared *sh;
static unsigned timeout_s = 10;

/* Reads path into an exact-size heap buffer; 0 or -errno. */
static int read_file(const char *path, uint8_t **out, size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf;
	size_t got = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	/* malloc(0) may return NULL: keep one byte, but pass size 0 */
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;
			free(buf);
			close(fd);
			return -e;
		}
		got += (size_t)r;
	}
	close(fd);
	*out = buf;
	*size = got;
	return 0;
}

static int run_one(const char *path)
{
	uint8_t *buf = NULL;
	size_t size = 0;
	int r = read_file(path, &buf, &size);

	if (r < 0) {
		snprintf(sh->error, sizeof(sh->error), "cannot read %s: %s",
		         path, strerror(-r));
		return r;
	}
	snprintf(sh->current, sizeof(sh->current), "%s", path);
	alarm(timeout_s);
	LLVMFuzzerTestOneInput(buf, size);
	alarm(0);
	free(buf);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays one argument in the current process; the number of inputs,
 * or -1 with sh->error set. */
static long replay(const char *arg)
{
	struct stat st;

	if (stat(arg, &st) < 0) {
		snprintf(sh->error, sizeof(sh->error), "%s", strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_one(arg) < 0 ? -1 : 1;

	DIR *d = opendir(arg);
	if (!d) {
		snprintf(sh->error, sizeof(sh->error), "%s", strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	long count = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				goto oom;
			names = nn;
		}
		if (!(names[n] = strdup(e->d_name)))
			goto oom;
		n++;
	}
	closedir(d);
	d = NULL;
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", arg, names[i]);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;   /* subdirectories are not inputs */
		if (run_one(path) < 0) {
			count = -1;
			break;
		}
		count++;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return count;
oom:
	snprintf(sh->error, sizeof(sh->error), "out of memory");
	if (d)
		closedir(d);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return -1;
}

/* Replays arg in a child; prints its line; 1 if it passed. */
static int replay_child(const char *arg)
{
	int p[2];
	long count = -1;

	memset(sh, 0, sizeof(*sh));
	if (pipe(p) < 0) {
		printf("not ok - replay %s: pipe: %s\n", arg, strerror(errno));
		return 0;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		printf("not ok - replay %s: fork: %s\n", arg, strerror(errno));
		close(p[0]);
		close(p[1]);
		return 0;
	}
	if (pid == 0) {
		close(p[0]);
		count = replay(arg);
		ssize_t w = write(p[1], &count, sizeof(count));
		(void)w;
		close(p[1]);
		/* exit(), not _exit(): LeakSanitizer checks at exit */
		exit(count < 0 ? 1 : 0);
	}
	close(p[1]);
	ssize_t r;
	do
		r = read(p[0], &count, sizeof(count));
	while (r < 0 && errno == EINTR);
	if (r != (ssize_t)sizeof(count))
		count = -1;
	close(p[0]);

	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM) {
		printf("not ok - replay %s: timed out on %s\n", arg, sh->current);
	} else if (WIFSIGNALED(st)) {
		printf("not ok - replay %s: crashed on %s (signal %d)\n", arg,
		       sh->current, WTERMSIG(st));
	} else if (count < 0 && sh->error[0]) {
		printf("not ok - replay %s: %s\n", arg, sh->error);
	} else if (count < 0) {
		/* a sanitizer report ends the process with an exit status */
		printf("not ok - replay %s: failed on %s (exit status %d)\n",
		       arg, sh->current[0] ? sh->current : "?",
		       WEXITSTATUS(st));
	} else if (WEXITSTATUS(st) != 0) {
		printf("not ok - replay %s: exit status %d after %ld inputs "
		       "(leak?)\n", arg, WEXITSTATUS(st), count);
	} else {
		printf("ok - replay %s (%ld inputs)\n", arg, count);
		fflush(stdout);
		return 1;
	}
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	int failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n", argv[0]);
		return 2;
	}
	const char *t = getenv("REPLAY_TIMEOUT");
	if (t && atoi(t) > 0)
		timeout_s = (unsigned)atoi(t);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
	          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (!replay_child(argv[i]))
			failed++;
	munmap(sh, sizeof(*sh));
	return failed ? 1 : 0;
}
