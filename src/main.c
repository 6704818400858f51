/* osspoint: CLI and wiring only (placeholder until the commands land). */
#include <stdio.h>

int main(void)
{
	puts("osspoint");
	return 0;
}
