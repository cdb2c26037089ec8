/* i18n.h — the UI's strings, all in one catalog: web/i18n/zh-CN.json (Simplified Chinese). */
#ifndef DX_I18N_H
#define DX_I18N_H
/* Loads the catalog from the web root; 0 or -1 (with a message on stderr). */
int i18n_load(const char *web_root);
/* The string for key, or the key itself when missing (so a gap shows, never crashes). */
const char *tr(const char *key);
#endif
