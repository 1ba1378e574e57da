/* SPDX-License-Identifier: MIT */
/*
 * The floor of the parse benchmark: reads every file named in a list into
 * memory, exactly as the GMime peer does before it parses (open, size,
 * malloc, read, free), and does nothing else. No parser that loads its
 * input from files can beat this figure on the same list, so it shows how
 * much of each tool's time is the file system and how much is parsing.
 *
 * Usage: read_floor LIST
 * Prints one summary line in the peers' format; the loop time excludes
 * start-up. Built by bench/parse.sh into bench/out/ (not part of the
 * library): cc -O2 -o bench/out/read_floor bench/peers/read_floor.c
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A path in the list longer than this is counted as an error: the
 * corpus paths are far shorter, and a fixed line buffer keeps the loop
 * free of allocations that the peers do not make either. */
#define READ_FLOOR_MAX_PATH 4096

/* Reads the whole file at path into a fresh malloc'd buffer; stores its
 * length in *len and returns the buffer (the caller frees it), or NULL
 * when the file cannot be opened or read. */
static char *read_whole_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    long size;
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    char *data = malloc((size_t)size + 1);
    if (data == NULL || fread(data, 1, (size_t)size, f) != (size_t)size) {
        free(data);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = (size_t)size;
    return data;
}

/* Seconds between two monotonic clock readings. */
static double seconds_between(const struct timespec *t0,
                              const struct timespec *t1)
{
    return (double)(t1->tv_sec - t0->tv_sec) +
           (double)(t1->tv_nsec - t0->tv_nsec) / 1e9;
}

/* Reads every file of the list named in argv[1] and prints the summary
 * line; returns 2 on bad usage or an unreadable list, else 0. */
int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: read_floor LIST\n");
        return 2;
    }
    FILE *list = fopen(argv[1], "r");
    if (list == NULL) {
        perror(argv[1]);
        return 2;
    }
    unsigned long mails = 0, errors = 0;
    uint64_t bytes = 0;
    /* a byte sum of the contents, printed so the reads cannot be
     * optimized away */
    unsigned long checksum = 0;
    char line[READ_FLOOR_MAX_PATH];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (fgets(line, sizeof line, list) != NULL) {
        size_t n = strcspn(line, "\r\n");
        line[n] = '\0';
        if (n == 0)
            continue;
        mails++;
        size_t size = 0;
        char *data = read_whole_file(line, &size);
        if (data == NULL) {
            errors++;
            continue;
        }
        bytes += size;
        if (size > 0)
            checksum += (unsigned char)data[size / 2];
        free(data);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fclose(list);
    double elapsed = seconds_between(&t0, &t1);
    if (elapsed <= 0)
        elapsed = 1e-9;
    printf("read-floor mails=%lu bytes=%llu errors=%lu checksum=%lu "
           "loop_s=%.3f mails_per_s=%.1f MB_per_s=%.2f\n",
           mails, (unsigned long long)bytes, errors, checksum, elapsed,
           (double)mails / elapsed, (double)bytes / elapsed / 1e6);
    return 0;
}
