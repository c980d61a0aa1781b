// SPDX-License-Identifier: GPL-2.0
/*
 * no-file-guard: run a command as if the kernel predated 6.15, where
 * MADV_GUARD_INSTALL/REMOVE work on anonymous private mappings only and
 * fail with EINVAL on file and shmem ones.
 *
 * A seccomp filter cannot see what backs an address, so madvise with
 * those advices goes to this supervisor (SECCOMP_RET_USER_NOTIF): it
 * looks the address up in the caller's /proc/TID/maps and answers
 * EINVAL for a VMA with a backing file (memfd included), or lets the
 * call through untouched.
 *
 *	no-file-guard COMMAND [ARGS...]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "no-file-guard: add this architecture's AUDIT_ARCH"
#endif

static int install_filter(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_madvise, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[2])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 102, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 103, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
}

/* Is @addr in a VMA with a backing file, per /proc/@tid/maps? */
static int file_backed(pid_t tid, unsigned long addr)
{
	char path[64], line[1024];
	int ret = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e, ino;
		int n = 0;

		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu %n", &s, &e, &ino,
			   &n) < 3 || addr < s || addr >= e)
			continue;
		/* an inode: a file, or shmem behind memfd or /dev/zero */
		ret = ino != 0;
		break;
	}
	fclose(f);
	return ret;
}

static int send_fd(int sock, int fd)
{
	char buf[CMSG_SPACE(sizeof(int))] = { 0 }, c = 0;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = buf, .msg_controllen = sizeof(buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char buf[CMSG_SPACE(sizeof(int))] = { 0 }, c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = buf, .msg_controllen = sizeof(buf),
	};
	int fd;

	if (recvmsg(sock, &msg, 0) != 1 || !CMSG_FIRSTHDR(&msg))
		return -1;
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
	return fd;
}

/* Answer every notification until the command and its threads are gone. */
static void supervise(int nfd)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	for (;;) {
		memset(&req, 0, sizeof(req));
		if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req)) {
			if (errno == EINTR)
				continue;
			return;	/* ENOENT or EBADF: nobody left to answer */
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		if (file_backed((pid_t)req.pid, req.data.args[0])) {
			resp.error = -EINVAL;
		} else {
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		}
		ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}

int main(int argc, char **argv)
{
	int sv[2], nfd, status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: no-file-guard COMMAND [ARGS...]\n");
		return 2;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		perror("no-file-guard: socketpair");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("no-file-guard: fork");
		return 1;
	}
	if (pid == 0) {
		close(sv[0]);
		nfd = install_filter();
		if (nfd < 0 || send_fd(sv[1], nfd)) {
			perror("no-file-guard: seccomp");
			_exit(126);
		}
		close(nfd);
		close(sv[1]);
		execvp(argv[1], argv + 1);
		perror("no-file-guard: exec");
		_exit(127);
	}
	close(sv[1]);
	nfd = recv_fd(sv[0]);
	close(sv[0]);
	if (nfd >= 0) {
		supervise(nfd);
		close(nfd);
	}
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
