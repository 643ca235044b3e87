/* pwhash_bench.c -- the registration ceiling: argon2id hashes per second
 * with the service's own parameters on every core, for bench_register.sh.
 *   pupns-pwhash-bench THREADS SECONDS   -> prints "hashes_per_s N" */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "ids.h"
#include "pwhash.h"

static atomic_long done;
static atomic_int stop;

static void *hash_loop(void *arg) {
    (void)arg;
    char out[crypto_pwhash_STRBYTES];
    while (!atomic_load(&stop))
        if (registration_pwhash("Rahasia#Malang75", out) == PC_OK) atomic_fetch_add(&done, 1);
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    int seconds = argc > 2 ? atoi(argv[2]) : 10;
    if (threads < 1 || threads > 256 || seconds < 1 || sodium_init() < 0) {
        fprintf(stderr, "usage: pupns-pwhash-bench THREADS SECONDS\n");
        return 2;
    }
    pthread_t *th = calloc((size_t)threads, sizeof *th);
    if (!th) return 1;
    int64_t t0 = pc_mono_us();
    for (int i = 0; i < threads; i++) pthread_create(&th[i], NULL, hash_loop, NULL);
    struct timespec pause = { seconds, 0 };
    nanosleep(&pause, NULL);
    atomic_store(&stop, 1);
    for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
    double elapsed = (double)(pc_mono_us() - t0) / 1e6;
    printf("hashes_per_s %.2f\n", (double)atomic_load(&done) / elapsed);
    free(th);
    return 0;
}
