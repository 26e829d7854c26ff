/* tool-deps: lib */
/*
 * posix-probe: the POSIX calls a busybox shell cannot make, for the 9p
 * battery (tests/integration/lib/posix-battery.sh).  Each command prints
 * lines that depend only on the file system's behaviour, never on inode
 * numbers or clocks, so a run on a 9p mount diffs clean against a run on
 * a local directory.
 *
 *   posix-probe locks FILE | mmap FILE | unlinked FILE | xattr FILE |
 *               utimens FILE | sparse FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

/* trusted.*: tmpfs has it on every kernel (user.* only from 6.6). */
#define XNAME "trusted.kvmc"

static const char *err(int ok)
{
	return ok ? "ok" : strerror(errno);
}

/* Runs fn in a child (another lock owner) and returns its exit code. */
static int in_child(int (*fn)(const char *), const char *path)
{
	int st;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(path));
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static int try_fcntl(const char *path)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
			    .l_len = 10 };
	int fd = open(path, O_RDWR);

	if (fd < 0)
		return 2;
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		printf("child getlk: %s 0-%lld\n",
		       fl.l_type == F_WRLCK ? "write" : "read",
		       (long long)fl.l_len);
	fflush(stdout);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET,
			     .l_len = 10 };
	return fcntl(fd, F_SETLK, &fl) ? 1 : 0;
}

static int try_flock(const char *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0)
		return 2;
	return flock(fd, LOCK_EX | LOCK_NB) ? 1 : 0;
}

static int locks(const char *path)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
			    .l_len = 10 };
	int fd = open(path, O_RDWR | O_CREAT, 0644);

	if (fd < 0)
		return 1;
	printf("fcntl setlk: %s\n", err(!fcntl(fd, F_SETLK, &fl)));
	fflush(stdout);
	printf("child setlk while held: %d\n", in_child(try_fcntl, path));
	fl.l_type = F_UNLCK;
	printf("fcntl unlock: %s\n", err(!fcntl(fd, F_SETLK, &fl)));
	fflush(stdout);
	printf("child setlk after unlock: %d\n", in_child(try_fcntl, path));
	close(fd);

	fd = open(path, O_RDWR);
	printf("flock ex: %s\n", err(!flock(fd, LOCK_EX)));
	fflush(stdout);
	printf("child flock while held: %d\n", in_child(try_flock, path));
	printf("flock un: %s\n", err(!flock(fd, LOCK_UN)));
	fflush(stdout);
	printf("child flock after unlock: %d\n", in_child(try_flock, path));
	close(fd);
	return 0;
}

static int do_mmap(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	char buf[16] = { 0 };
	unsigned char *p;

	if (fd < 0 || ftruncate(fd, 8192))
		return 1;
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	printf("mmap shared rw: %s\n", err(p != MAP_FAILED));
	if (p != MAP_FAILED) {
		memcpy(p + 4090, "across-pages", 12);
		printf("msync: %s\n", err(!msync(p, 8192, MS_SYNC)));
		munmap(p, 8192);
	}
	printf("pread after mmap write: %s\n",
	       pread(fd, buf, 12, 4090) == 12 ? buf : "short");
	close(fd);
	fd = open(path, O_RDONLY);
	p = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
	printf("mmap private read: %.12s\n",
	       p != MAP_FAILED ? (char *)p + 4090 : "failed");
	close(fd);
	return 0;
}

static int unlinked(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	char buf[8] = { 0 };
	struct stat st;
	ssize_t n;

	if (fd < 0 || write(fd, "hello", 5) != 5)
		return 1;
	printf("unlink while open: %s\n", err(!unlink(path)));
	printf("fstat: %s", err(!fstat(fd, &st)));
	printf(" size %lld nlink %ld\n", (long long)st.st_size,
	       (long)st.st_nlink);
	printf("write after unlink: %zd\n", pwrite(fd, "!", 1, 5));
	n = pread(fd, buf, 6, 0);
	printf("read after unlink: %zd %s\n", n, buf);
	printf("ftruncate after unlink: %s\n", err(!ftruncate(fd, 2)));
	printf("fstat size: %lld\n",
	       fstat(fd, &st) ? -1LL : (long long)st.st_size);
	close(fd);
	return 0;
}

static int xattrs(const char *path)
{
	char buf[64] = { 0 };
	ssize_t n;

	close(open(path, O_RDWR | O_CREAT, 0644));
	printf("setxattr: %s\n",
	       err(!setxattr(path, XNAME, "value", 5, XATTR_CREATE)));
	printf("setxattr create again: %s\n",
	       err(!setxattr(path, XNAME, "other", 5, XATTR_CREATE)));
	n = getxattr(path, XNAME, buf, sizeof(buf) - 1);
	printf("getxattr: %zd %s\n", n, n > 0 ? buf : "");
	memset(buf, 0, sizeof(buf));
	n = listxattr(path, buf, sizeof(buf));
	printf("listxattr: %zd %s\n", n, n > 0 ? buf : "");
	printf("removexattr: %s\n", err(!removexattr(path, XNAME)));
	printf("getxattr removed: %s\n",
	       err(getxattr(path, XNAME, buf, sizeof(buf)) >= 0));
	return 0;
}

static int utimens(const char *path)
{
	struct timespec ts[2] = { { 1000000000, 123456789 },
				  { 1234567890, 987654321 } };
	struct stat st;

	close(open(path, O_RDWR | O_CREAT, 0644));
	printf("utimensat: %s\n", err(!utimensat(AT_FDCWD, path, ts, 0)));
	if (stat(path, &st))
		return 1;
	/* Seconds only: v9fs keeps the VFS default granularity of 1 s. */
	printf("atime %lld mtime %lld\n", (long long)st.st_atim.tv_sec,
	       (long long)st.st_mtim.tv_sec);
	return 0;
}

static int sparse(const char *path)
{
	const off_t far = 5LL << 30;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	char c = 0;
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return 1;
	printf("pwrite at 5 GiB: %zd\n", pwrite(fd, "z", 1, far));
	fstat(fd, &st);
	printf("size: %lld\n", (long long)st.st_size);
	n = pread(fd, &c, 1, far);
	printf("pread at 5 GiB: %zd %c\n", n, c);
	n = pread(fd, &c, 1, far / 2);
	printf("pread hole: %zd %d\n", n, c);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(const char *);
	} cmds[] = {
		{ "locks", locks }, { "mmap", do_mmap },
		{ "unlinked", unlinked }, { "xattr", xattrs },
		{ "utimens", utimens }, { "sparse", sparse },
	};

	if (argc == 3)
		for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
			if (!strcmp(argv[1], cmds[i].name))
				return cmds[i].fn(argv[2]);
	fprintf(stderr, "usage: posix-probe locks|mmap|unlinked|xattr|"
		"utimens|sparse FILE\n");
	return 2;
}
