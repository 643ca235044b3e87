/* lifecycle.c -- signal thread and the process-wide running flag. */
#include "lifecycle.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

#include "log.h"

static atomic_int running = 1;
static atomic_int failed = 0;
static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cond = PTHREAD_COND_INITIALIZER;
static sigset_t stop_signals;

void pc_lifecycle_stop(void) {
    pthread_mutex_lock(&stop_lock);
    atomic_store(&running, 0);
    pthread_cond_broadcast(&stop_cond);
    pthread_mutex_unlock(&stop_lock);
}

static void *signal_thread(void *arg) {
    (void)arg;
    int sig = 0;
    if (sigwait(&stop_signals, &sig) == 0) PC_INFO("signal %d: stopping", sig);
    pc_lifecycle_stop();
    return NULL;
}

pc_status pc_lifecycle_init(void) {
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    signal(SIGPIPE, SIG_IGN);
    if (pthread_sigmask(SIG_BLOCK, &stop_signals, NULL) != 0) return PC_ERROR;
    pthread_t t;
    if (pthread_create(&t, NULL, signal_thread, NULL) != 0) return PC_ERROR;
    pthread_detach(t);
    return PC_OK;
}

int pc_running(void) { return atomic_load(&running); }

void pc_lifecycle_fail(void) {
    atomic_store(&failed, 1);
    pc_lifecycle_stop();
}

void pc_lifecycle_fail_because(const char *fmt, ...) {
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    PC_ERROR("stopping, exit status 1: %s", why);
    pc_lifecycle_fail();
}

int pc_lifecycle_failed(void) { return atomic_load(&failed); }

void pc_lifecycle_wait(void) {
    pthread_mutex_lock(&stop_lock);
    while (atomic_load(&running)) pthread_cond_wait(&stop_cond, &stop_lock);
    pthread_mutex_unlock(&stop_lock);
}
