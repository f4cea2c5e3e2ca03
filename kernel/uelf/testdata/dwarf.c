/* dwarf.c: the DWARF fixture of surftrace's tests, built with gcc -g -O0
 * at test time: functions whose parameters cover the type forms uprobe
 * arguments by name read (integers, chars, pointers, structs with arrays,
 * strings and bit fields, unions, enums, typedefs, const). "dwarf MS"
 * sleeps MS milliseconds, then calls each function once. */
#include <stdlib.h>
#include <unistd.h>

typedef unsigned long surf_len_t;
enum surf_color { SURF_RED, SURF_GREEN = 5 };

struct surf_node {
	int id;
	char name[8];
	short vals[3];
	struct surf_node *next;
};

/* bpftrace 0.17 cannot read a struct with bit fields or an anonymous
 * union from DWARF; surftrace can. */
struct surf_bits {
	int id;
	unsigned flag : 1;
	unsigned level : 3;
	union {
		int i;
		char c;
	} u;
};

__attribute__((noinline)) int surf_ints(int a, unsigned char b, long c, char d)
{
	return a + b + c + d;
}

__attribute__((noinline)) long surf_ptrs(const char *s, int *p, void *v, char **argv, const int *const cp, const void *cv)
{
	return (long)s + (long)p + (long)v + (long)argv + (long)cp + (long)cv;
}

__attribute__((noinline)) int surf_node(struct surf_node *n, enum surf_color c, surf_len_t len, int (*cb)(int))
{
	return n->id + c + (int)len + (cb ? 1 : 0);
}

__attribute__((noinline)) int surf_bits(struct surf_bits *b)
{
	return b->id + b->level;
}

int main(int argc, char **argv)
{
	int x = 7;
	struct surf_node second = { .id = 2, .name = "second" };
	struct surf_node first = { .id = 1, .name = "first", .vals = { 10, 20, 30 }, .next = &second };
	struct surf_bits bits = { .id = 3, .flag = 1, .level = 5, .u = { .i = 65 } };
	usleep(argc > 1 ? atoi(argv[1]) * 1000 : 0);
	surf_ints(-3, 200, 1L << 40, 'z');
	surf_ptrs(argv[0], &x, &x, argv, &x, &x); /* argv[0]: its page is present */
	surf_bits(&bits);
	return surf_node(&first, SURF_GREEN, 42, 0) == 0;
}
