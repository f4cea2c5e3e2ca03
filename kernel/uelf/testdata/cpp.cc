// cpp.cc: the C++ fixture of surftrace's tests: a method and an overloaded
// function in a namespace, whose symbols are mangled.
#include <cstdlib>

namespace surf {
struct Box {
	__attribute__((noinline)) int add(int a)
	{
		__asm__ volatile("");
		return a + v;
	}
	int v = 1;
};
__attribute__((noinline)) int twice(int x)
{
	__asm__ volatile("");
	return 2 * x;
}
__attribute__((noinline)) long twice(long x)
{
	__asm__ volatile("");
	return 3 * x;
}
} // namespace surf

int main(int argc, char **argv)
{
	surf::Box b;
	int n = argc > 1 ? atoi(argv[1]) : 2;
	long t = 0;
	for (int i = 0; i < n; i++)
		t += b.add(i) + surf::twice(i) + surf::twice(long(i));
	return t == 0;
}
