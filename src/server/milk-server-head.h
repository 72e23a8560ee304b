/* milk-server-head.h — a request head checked on its raw bytes, so that
 * every reader frames it the same way
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MILK_HEAD_MAX_BYTES (64 * 1024)

typedef enum
{
  MILK_HEAD_INCOMPLETE,      /* no blank line yet: read on */
  MILK_HEAD_OK,
  MILK_HEAD_BAD,             /* 400: ambiguous or malformed */
  MILK_HEAD_TOO_LARGE,       /* 431: no end within MILK_HEAD_MAX_BYTES */
  MILK_HEAD_BODY_TOO_LARGE,  /* 413: a Content-Length beyond any body */
} MilkHeadVerdict;

MilkHeadVerdict milk_http_head_check    (const char  *data,
                                         gsize        length,
                                         gsize       *skip,
                                         gsize       *head_length,
                                         const char **problem);

/* The fields that frame a request's body. */
typedef struct
{
  gboolean content_length;
  gboolean transfer_encoding;
  gboolean host;
  guint64 length;       /* the Content-Length, when there is one */
} MilkHeadFraming;

MilkHeadVerdict milk_http_head_frame    (const char      *data,
                                         gsize            length,
                                         gsize           *skip,
                                         gsize           *head_length,
                                         const char     **problem,
                                         MilkHeadFraming *framing);

/* A sound head, read (milk_http_head_parse). */
typedef struct
{
  char *method;
  char *path;            /* the target's path, percent-decoded */
  char *query;           /* after the "?", or NULL */
  gboolean http_1_0;
  GHashTable *headers;   /* lower-case name → value */
} MilkHead;

MilkHead       *milk_http_head_parse    (const char      *data,
                                         gsize            head_length);
gboolean        milk_http_head_has_token (GHashTable     *headers,
                                         const char      *name,
                                         const char      *token);
void            milk_http_head_free     (MilkHead        *head);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MilkHead, milk_http_head_free)

G_END_DECLS
