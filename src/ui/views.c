/*
 * views.c: the console's views, listed once (ui.h): --view, :view and its
 * completion, the keys 1-4 and the messages all read this table.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "opsdeck/ui.h"
#include "opsdeck/ui_priv.h"

/* In the order of keys 1-4; focus is the pane that takes the focus. */
static const struct {
	const char		*name;
	enum ui_pane_id		 focus;
} views[VIEW_COUNT] = {
	[VIEW_COMPUTE] = { "compute", PANE_COMPUTE },
	[VIEW_DEVICES] = { "devices", PANE_DEVICES },
	[VIEW_BUDGETS] = { "budgets", PANE_BUDGETS },
	[VIEW_ALL] = { "all", PANE_COMPUTE },
};

const char *
ui_view_name(int v)
{
	return v >= 0 && v < VIEW_COUNT ? views[v].name : NULL;
}

int
ui_view_parse(const char *s)
{
	for (int i = 0; i < VIEW_COUNT; i++)
		if (strcmp(s, views[i].name) == 0)
			return i;
	return -1;
}

int
ui_view_focus(int v)
{
	return v >= 0 && v < VIEW_COUNT ? (int)views[v].focus : PANE_COMPUTE;
}

/* Built on the first call into a static buffer; the text never changes. */
const char *
ui_view_choices(void)
{
	static char text[128];

	if (text[0] == '\0') {
		size_t n = 0;
		for (int i = 0; i < VIEW_COUNT; i++)
			n += (size_t)snprintf(text + n, sizeof text - n, "%s%s",
			    i == 0 ? "" : i == VIEW_COUNT - 1 ? " or " : ", ", views[i].name);
	}
	return text;
}
