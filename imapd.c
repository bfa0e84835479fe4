/* imapd: entry point. Placeholder until the session lands. */
#include "lib/config.h"
int main(void)
{
	struct config c;
	config_defaults(&c);
	return 0;
}
