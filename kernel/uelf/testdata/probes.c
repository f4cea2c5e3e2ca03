/* probes.c: the user-space probe fixture of surftrace's tests, built with
 * gcc at test time. "probes N" runs N rounds; each calls surf_add (a plain
 * function for uprobes), fires USDT probes (one with a semaphore that is
 * only taken while a tracer has it enabled) and finally calls surf_done;
 * "probes N MS" then sleeps MS milliseconds before exiting; "probes N MS
 * wait" waits for a byte on stdin before it starts. */
#define _SDT_HAS_SEMAPHORES 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sdt.h>

/* With _SDT_HAS_SEMAPHORES every probe has one; only withsem checks it. */
unsigned short surf_withsem_semaphore __attribute__((section(".probes")));
unsigned short surf_args_semaphore __attribute__((section(".probes")));
unsigned short surf_strarg_semaphore __attribute__((section(".probes")));
unsigned short surf_global_semaphore __attribute__((section(".probes")));

/* Globals for uaddr(). */
int surf_global_int = 0x1234;
long surf_global_long = 0x123456789;
long surf_arr[4] = {10, 20, 30, 40};

__attribute__((noinline)) long surf_add(int a, long b)
{
	__asm__ volatile("");
	return a + b;
}

/* surf_name reads its string so that its page is present: a probe's
 * bpf_probe_read_user cannot fault a page in. */
__attribute__((noinline)) size_t surf_name(const char *s)
{
	return strlen(s);
}

/* surf_many takes more arguments than registers hold: g and h are on the
 * stack (sarg0, sarg1; arg6, arg7). */
__attribute__((noinline)) long surf_many(int a, int b, int c, int d, int e, int f, int g, int h)
{
	__asm__ volatile("");
	return a + b + c + d + e + f + g + h;
}

__attribute__((noinline)) void surf_done(int rounds)
{
	__asm__ volatile("" ::"r"(rounds));
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3;
	long total = 0;
	/* Touch the strings' pages before any probe reads them. */
	const char *warm[] = {"hello", "usdt-str"};
	/* "probes N MS wait" first waits for a byte on stdin. */
	if (argc > 3 && getchar() == EOF)
		return 2;
	for (int i = 0; i < 2; i++)
		total += *(volatile const char *)warm[i];
	for (int i = 1; i <= n; i++) {
		long local = 100 * i;
		total += surf_add(i, -i * 10L);
		total += surf_many(i, 2, 3, 4, 5, 6, 70 + i, 80 + i);
		surf_name("hello");
		DTRACE_PROBE3(surf, args, i, local, -5);
		DTRACE_PROBE1(surf, strarg, "usdt-str");
		/* At -O2 gcc writes these as surf_global_int(%rip) and
		 * (%rax,%rdx,8). */
		DTRACE_PROBE2(surf, global, surf_global_int, surf_arr[i & 3]);
		if (surf_withsem_semaphore)
			DTRACE_PROBE1(surf, withsem, i * 7);
	}
	surf_done(n);
	/* Linger so that tracers can still read our maps to name frames. */
	if (argc > 2)
		usleep(1000 * atoi(argv[2]));
	return total == 0;
}
