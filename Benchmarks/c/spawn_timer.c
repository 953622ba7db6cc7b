/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Process start-to-exit timer: runs several commands in turn, ROUNDS times (A B C A B C …), each
 * with posix_spawnp, stdin from /dev/null, stdout and stderr to /dev/null, and waits for it; the
 * time is CLOCK_MONOTONIC from just before the spawn to the return of waitpid.
 *
 * Usage: spawn_timer ROUNDS WARMUP -- cmd1 arg… -- cmd2 arg… [-- …]
 * Prints one JSON object: per command the median, p10, p90, mean and min in µs and the exit codes seen.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_us(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return ts.tv_sec * 1e6 + ts.tv_nsec * 1e-3; }
static int cmp_d(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

int main(int argc, char **argv) {
    if (argc < 5 || strcmp(argv[3], "--") != 0) { fprintf(stderr, "usage: spawn_timer ROUNDS WARMUP -- cmd… [-- cmd…]\n"); return 64; }
    int rounds = atoi(argv[1]), warmup = atoi(argv[2]);
    char **cmds[64]; int ncmd = 0;
    for (int a = 3; a < argc && ncmd < 64; a++) {
        if (strcmp(argv[a], "--") == 0) { argv[a] = NULL; if (a + 1 < argc) cmds[ncmd++] = &argv[a + 1]; }
    }
    double *t = calloc((size_t)ncmd * rounds, sizeof(double));
    int codes[64][8]; int ncodes[64] = {0};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    for (int r = -warmup; r < rounds; r++) {
        for (int c = 0; c < ncmd; c++) {
            pid_t pid; int st;
            double t0 = now_us();
            if (posix_spawnp(&pid, cmds[c][0], &fa, NULL, cmds[c], environ) != 0) { perror(cmds[c][0]); return 1; }
            waitpid(pid, &st, 0);
            double dt = now_us() - t0;
            if (r < 0) continue;
            t[c * rounds + r] = dt;
            int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), seen = 0;
            for (int k = 0; k < ncodes[c]; k++) seen |= codes[c][k] == code;
            if (!seen && ncodes[c] < 8) codes[c][ncodes[c]++] = code;
        }
    }
    printf("{\"rounds\": %d, \"commands\": [\n", rounds);
    for (int c = 0; c < ncmd; c++) {
        double *x = t + c * rounds, mean = 0;
        for (int r = 0; r < rounds; r++) mean += x[r] / rounds;
        qsort(x, rounds, sizeof(double), cmp_d);
        printf(" {\"argv0\": \"%s\", \"median_us\": %.1f, \"p10_us\": %.1f, \"p90_us\": %.1f, \"mean_us\": %.1f, \"min_us\": %.1f, \"exit_codes\": [",
               cmds[c][0], x[rounds / 2], x[rounds / 10], x[(rounds * 9) / 10], mean, x[0]);
        for (int k = 0; k < ncodes[c]; k++) printf("%s%d", k ? ", " : "", codes[c][k]);
        printf("]}%s\n", c + 1 < ncmd ? "," : "");
    }
    printf("]}\n");
    return 0;
}
