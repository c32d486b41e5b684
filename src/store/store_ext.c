/*
 * store_ext.c: the raw SQLite handle, for modules that keep tables of their
 * own in the cache (budget, test-bed devices). They create their tables with
 * CREATE TABLE IF NOT EXISTS, bind every value, and never hold the write lock
 * outside the collector's tick or their own short transaction.
 */
#include "config.h"

#include "store_int.h"

sqlite3 *
store_db(struct store *st)
{
	return st->db;
}
