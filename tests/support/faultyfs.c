// SPDX-License-Identifier: BSD-3-Clause
// SPDX-FileCopyrightText: the Flowgate authors
//
// faultyfs: a FUSE file system with one file whose reads fail with EIO from a
// given offset on, as a disk with a bad sector would. The tests read through
// it to see what Flowgate does when a read fails in the middle of a file.
//
//   faultyfs BACKING-FILE NAME FAIL-OFFSET MOUNTPOINT [FUSE OPTIONS...]
//
// The mount point holds NAME: the backing file's bytes, size, mode and mtime.
// Every read that reaches FAIL-OFFSET or beyond fails with EIO (reads before
// it are served from the backing file). The file system is read-only and
// uses direct I/O, so no cached page hides a failure. With FAULTYFS_DELAY_MS
// set in the environment, every read first waits that many milliseconds (a
// slow disk: the tests use it to interrupt a run in its middle). With
// FAULTYFS_STALL_FROM=OFFSET, a read that reaches OFFSET does not return (a
// disk that stops answering) until the reader is interrupted: a reader that
// is killed gets EINTR and can go (a signal it handles leaves it waiting).
// Unmount with `fusermount3 -u MOUNTPOINT`.

#define FUSE_USE_VERSION 31

#include <fuse.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *g_backing;
static char g_path[4096]; // "/NAME"
static off_t g_failAt;
static int g_fd = -1;
static unsigned g_delayMs;
static off_t g_stallFrom = -1;

static int faulty_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    memset(st, 0, sizeof *st);
    if (strcmp(path, "/") == 0) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        return 0;
    }
    if (strcmp(path, g_path) != 0)
        return -ENOENT;
    struct stat backing;
    if (fstat(g_fd, &backing) != 0)
        return -errno;
    st->st_mode = S_IFREG | (backing.st_mode & 0777 & ~0222);
    st->st_nlink = 1;
    st->st_size = backing.st_size;
    st->st_mtim = backing.st_mtim;
    st->st_ctim = backing.st_ctim;
    st->st_atim = backing.st_atim;
    return 0;
}

static int faulty_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t offset,
    struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)offset;
    (void)fi;
    (void)flags;
    if (strcmp(path, "/") != 0)
        return -ENOENT;
    fill(buf, ".", NULL, 0, 0);
    fill(buf, "..", NULL, 0, 0);
    fill(buf, g_path + 1, NULL, 0, 0);
    return 0;
}

static int faulty_open(const char *path, struct fuse_file_info *fi)
{
    if (strcmp(path, g_path) != 0)
        return -ENOENT;
    if ((fi->flags & O_ACCMODE) != O_RDONLY)
        return -EROFS;
    fi->direct_io = 1;
    return 0;
}

static int faulty_read(const char *path, char *buf, size_t size, off_t offset, struct fuse_file_info *fi)
{
    (void)fi;
    if (strcmp(path, g_path) != 0)
        return -ENOENT;
    if (g_delayMs)
        usleep(g_delayMs * 1000u);
    if (g_stallFrom >= 0 && offset + (off_t)size > g_stallFrom) {
        while (!fuse_interrupted())
            usleep(10 * 1000);
        return -EINTR;
    }
    if (offset + (off_t)size > g_failAt) {
        // The part before the bad spot still reads, like a disk that fails
        // at one sector: the caller sees a short read, then EIO.
        if (offset >= g_failAt)
            return -EIO;
        size = (size_t)(g_failAt - offset);
    }
    const ssize_t got = pread(g_fd, buf, size, offset);
    return got < 0 ? -errno : (int)got;
}

static void *faulty_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    (void)conn;
    cfg->intr = 1; // a stalled read learns that its reader is gone
    return NULL;
}

static const struct fuse_operations g_ops = {
    .init = faulty_init,
    .getattr = faulty_getattr,
    .open = faulty_open,
    .read = faulty_read,
    .readdir = faulty_readdir,
};

int main(int argc, char *argv[])
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s BACKING-FILE NAME FAIL-OFFSET MOUNTPOINT [FUSE OPTIONS...]\n", argv[0]);
        return 2;
    }
    g_backing = argv[1];
    if (strchr(argv[2], '/') || snprintf(g_path, sizeof g_path, "/%s", argv[2]) >= (int)sizeof g_path) {
        fprintf(stderr, "%s: NAME must be a plain file name\n", argv[0]);
        return 2;
    }
    char *end = NULL;
    g_failAt = (off_t)strtoll(argv[3], &end, 10);
    if (!end || *end || g_failAt < 0) {
        fprintf(stderr, "%s: FAIL-OFFSET must be a number of bytes\n", argv[0]);
        return 2;
    }
    const char *delay = getenv("FAULTYFS_DELAY_MS");
    g_delayMs = delay ? (unsigned)strtoul(delay, NULL, 10) : 0;
    const char *stall = getenv("FAULTYFS_STALL_FROM");
    g_stallFrom = stall ? (off_t)strtoll(stall, NULL, 10) : -1;
    g_fd = open(g_backing, O_RDONLY | O_CLOEXEC);
    if (g_fd < 0) {
        perror(g_backing);
        return 1;
    }
    // fuse_main's arguments: program, mount point, then the extra options.
    char **args = calloc((size_t)argc, sizeof *args);
    if (!args)
        return 1;
    int n = 0;
    args[n++] = argv[0];
    args[n++] = argv[4];
    for (int i = 5; i < argc; ++i)
        args[n++] = argv[i];
    const int rc = fuse_main(n, args, &g_ops, NULL);
    free(args);
    close(g_fd);
    return rc;
}
