/*
 * echo_plugin.c — an awsemu plugin written in plain C, against emu_plugin.h alone.
 *
 * It proves that the plugin ABI needs nothing from Swift, and it gives the tests a probe into the host:
 * what context a handler sees, and what the service bus keeps and records on a nested call.
 *
 *   cc -shared -fPIC -O2 -I Sources/PluginABI/include -o plugins/libecho.so plugins/echo/echo_plugin.c
 *
 * Service "echo", AWS JSON 1.1, X-Amz-Target "EchoService.<Operation>", signing name "echo":
 *
 *   Echo         answers the request body unchanged (EMU_OP_NONBLOCKING).
 *   WhoAmI       answers {"account_id","region","principal_arn","via_service","bus_depth"} from its context.
 *   CallService  input {"Service":"sts","Operation":"GetCallerIdentity","Input":"<json text>"} (Input is
 *                optional, a JSON document given as a string, default "{}"); calls host->bus_call and answers
 *                {"http_status":N,"error_code":"…","error_message":"…","body":"<callee body as a string>",
 *                 "caller":{<WhoAmI of this call>}}. Malformed input is a ValidationException that also carries
 *                "Reason":"MalformedCallInput" (respond_error_fields, ABI 1.4) and a member named "Not A Name",
 *                which the host must drop.
 *   Stall        blocks its thread for the whole number of seconds in the body (at most 600), then answers {}: a
 *                stuck handler, for the tests of a shutdown that must not wait for one forever.
 *
 * The plugin keeps no state: the only global is the host table, set once in the entry before any handler runs.
 * Nothing is allocated except CallService's decoded strings, freed before the handler returns.
 */
#include "emu_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const emu_host_api *host;

/* ---- small helpers ------------------------------------------------------------------------------------ */

static emu_str cstr(const char *text) { return (emu_str){text, strlen(text)}; }

static void write_bytes(emu_response_writer *w, const char *bytes, size_t len) {
    host->respond(w, (const uint8_t *)bytes, len);
}

static void write_text(emu_response_writer *w, const char *text) { write_bytes(w, text, strlen(text)); }

/* Writes `s` as a quoted JSON string, escaping quotes, backslashes and control characters. */
static void write_json_string(emu_response_writer *w, const char *s, size_t len) {
    write_text(w, "\"");
    size_t run = 0; /* bytes that need no escaping are written in runs */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c != '"' && c != '\\' && c >= 0x20) continue;
        write_bytes(w, s + run, i - run);
        char escape[8];
        switch (c) {
        case '"': strcpy(escape, "\\\""); break;
        case '\\': strcpy(escape, "\\\\"); break;
        case '\n': strcpy(escape, "\\n"); break;
        case '\r': strcpy(escape, "\\r"); break;
        case '\t': strcpy(escape, "\\t"); break;
        default: snprintf(escape, sizeof escape, "\\u%04x", c); break;
        }
        write_text(w, escape);
        run = i + 1;
    }
    write_bytes(w, s + run, len - run);
    write_text(w, "\"");
}

/* Writes `"name":"value"` followed by `separator`. */
static void write_member(emu_response_writer *w, const char *name, emu_str value, const char *separator) {
    write_json_string(w, name, strlen(name));
    write_text(w, ":");
    write_json_string(w, value.ptr, value.len);
    write_text(w, separator);
}

/* Writes the WhoAmI object for `ctx`. */
static void write_context(emu_response_writer *w, const emu_request_context *ctx) {
    char depth[16];
    snprintf(depth, sizeof depth, "%u", (unsigned)ctx->bus_depth);
    write_text(w, "{");
    write_member(w, "account_id", ctx->account_id, ",");
    write_member(w, "region", ctx->region, ",");
    write_member(w, "principal_arn", ctx->principal_arn, ",");
    write_member(w, "via_service", ctx->via_service, ",");
    write_text(w, "\"bus_depth\":");
    write_text(w, depth);
    write_text(w, "}");
}

/* ---- minimal JSON scanning for CallService's flat input object ---------------------------------------- */

static const char *skip_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* The value of a hexadecimal digit, or -1. */
static int hex_value(char h) {
    if (h >= '0' && h <= '9') return h - '0';
    if (h >= 'a' && h <= 'f') return h - 'a' + 10;
    if (h >= 'A' && h <= 'F') return h - 'A' + 10;
    return -1;
}

/*
 * Scans the JSON string starting at the quote `p`. Returns the position after the closing quote, or NULL when it
 * is not a well-formed string. When `out` is given it receives the decoded bytes (never more than the encoded
 * length); \uXXXX escapes are decoded to UTF-8 (surrogate pairs are not combined: enough for this probe).
 */
static const char *scan_string(const char *p, const char *end, char *out, size_t *out_len) {
    if (p >= end || *p != '"') return NULL;
    size_t n = 0;
    for (p++; p < end; p++) {
        char c = *p;
        if (c == '"') {
            if (out_len) *out_len = n;
            return p + 1;
        }
        if (c == '\\') {
            if (++p >= end) return NULL;
            switch (*p) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case '"': case '\\': case '/': c = *p; break;
            case 'u': {
                if (end - p < 5) return NULL;
                unsigned code = 0;
                for (int i = 1; i <= 4; i++) {
                    int digit = hex_value(p[i]);
                    if (digit < 0) return NULL;
                    code = code * 16 + (unsigned)digit;
                }
                p += 4;
                /* at most 3 UTF-8 bytes for the 6 escape characters: stays within the encoded length */
                char utf8[3];
                size_t count = 0;
                if (code < 0x80) {
                    utf8[count++] = (char)code;
                } else if (code < 0x800) {
                    utf8[count++] = (char)(0xc0 | code >> 6);
                    utf8[count++] = (char)(0x80 | (code & 0x3f));
                } else {
                    utf8[count++] = (char)(0xe0 | code >> 12);
                    utf8[count++] = (char)(0x80 | (code >> 6 & 0x3f));
                    utf8[count++] = (char)(0x80 | (code & 0x3f));
                }
                if (out) memcpy(out + n, utf8, count);
                n += count;
                continue;
            }
            default: return NULL;
            }
        }
        if (out) out[n] = c;
        n++;
    }
    return NULL;
}

/* Skips one JSON value of any kind (strings may contain brackets). Returns NULL when malformed. */
static const char *skip_value(const char *p, const char *end) {
    int depth = 0;
    p = skip_ws(p, end);
    do {
        if (p >= end) return NULL;
        if (*p == '"') {
            if (!(p = scan_string(p, end, NULL, NULL))) return NULL;
        } else {
            if (*p == '{' || *p == '[') depth++;
            if (*p == '}' || *p == ']') depth--;
            if (depth < 0) return NULL;
            p++;
            /* a bare literal (number, true, …) at depth 0 ends before a delimiter */
            while (depth == 0 && p < end && !strchr(",}] \t\r\n", *p)) p++;
        }
    } while (depth > 0);
    return p;
}

/* The members CallService reads; each is a malloc'd decoded copy (NULL when absent). */
typedef struct call_input {
    char *service, *operation, *input;
    size_t service_len, operation_len, input_len;
} call_input;

/* Parses a top-level object, keeping the string members Service, Operation and Input. Returns 0 on success. */
static int parse_call_input(const char *p, size_t len, call_input *in) {
    const char *end = p + len;
    p = skip_ws(p, end);
    if (p >= end || *p++ != '{') return -1;
    for (p = skip_ws(p, end); p < end && *p != '}';) {
        char key[16];
        size_t key_len = 0;
        const char *after = scan_string(p, end, NULL, &key_len);
        if (!after) return -1;
        if (key_len < sizeof key) scan_string(p, end, key, &key_len);
        else key_len = 0; /* a long key is none of ours */
        p = skip_ws(after, end);
        if (p >= end || *p++ != ':') return -1;
        p = skip_ws(p, end);
        char **slot = NULL;
        size_t *slot_len = NULL;
        if (key_len == 7 && !memcmp(key, "Service", 7)) slot = &in->service, slot_len = &in->service_len;
        if (key_len == 9 && !memcmp(key, "Operation", 9)) slot = &in->operation, slot_len = &in->operation_len;
        if (key_len == 5 && !memcmp(key, "Input", 5)) slot = &in->input, slot_len = &in->input_len;
        if (slot && p < end && *p == '"' && !*slot) {
            if (!(*slot = malloc((size_t)(end - p) + 1))) return -1;
            p = scan_string(p, end, *slot, slot_len);
        } else {
            p = skip_value(p, end);
        }
        if (!p) return -1;
        p = skip_ws(p, end);
        if (p < end && *p == ',') p = skip_ws(p + 1, end);
    }
    return p < end ? 0 : -1;
}

/* ---- operations ----------------------------------------------------------------------------------------- */

static emu_status op_echo(void *op_data, const emu_request_context *ctx, const uint8_t *input, size_t input_len,
                          emu_response_writer *w) {
    (void)op_data, (void)ctx;
    host->respond(w, input, input_len);
    return EMU_OK;
}

static emu_status op_who_am_i(void *op_data, const emu_request_context *ctx, const uint8_t *input,
                              size_t input_len, emu_response_writer *w) {
    (void)op_data, (void)input, (void)input_len;
    write_context(w, ctx);
    return EMU_OK;
}

/* What the bus result callback needs to write the answer; it runs before bus_call returns. */
typedef struct call_state {
    emu_response_writer *writer;
    const emu_request_context *ctx;
} call_state;

static void on_bus_result(void *user_data, const emu_bus_result *result) {
    call_state *state = user_data;
    emu_response_writer *w = state->writer;
    char status[16];
    snprintf(status, sizeof status, "%u", (unsigned)result->http_status);
    write_text(w, "{\"http_status\":");
    write_text(w, status);
    write_text(w, ",");
    write_member(w, "error_code", result->error_code, ",");
    write_member(w, "error_message", result->error_message, ",");
    write_member(w, "body", (emu_str){(const char *)result->body, result->body_len}, ",");
    write_text(w, "\"caller\":");
    write_context(w, state->ctx);
    write_text(w, "}");
}

static emu_status op_call_service(void *op_data, const emu_request_context *ctx, const uint8_t *input,
                                  size_t input_len, emu_response_writer *w) {
    (void)op_data;
    call_input in = {0};
    if (parse_call_input((const char *)input, input_len, &in) != 0 || !in.service || !in.operation) {
        emu_str code = cstr("ValidationException");
        emu_str message = cstr("Expected {\"Service\":\"…\",\"Operation\":\"…\",\"Input\":\"<json text>\"}.");
        /* A host before ABI 1.4 has no respond_error_fields: check its table's size before reading the verb. */
        if (host->abi_minor >= 4 &&
            host->struct_size >= offsetof(emu_host_api, respond_error_fields) + sizeof host->respond_error_fields) {
            const emu_header fields[] = {{cstr("Reason"), cstr("MalformedCallInput")},
                                         {cstr("Not A Name"), cstr("dropped by the host")}};
            host->respond_error_fields(w, code, message, 400, fields, 2);
        } else {
            host->respond_error(w, code, message, 400);
        }
    } else {
        call_state state = {w, ctx};
        emu_str service = {in.service, in.service_len}, operation = {in.operation, in.operation_len};
        const char *body = in.input ? in.input : "{}";
        size_t body_len = in.input ? in.input_len : 2;
        emu_status status = host->bus_call(ctx, service, operation, (const uint8_t *)body, body_len,
                                           on_bus_result, &state);
        if (status == EMU_ERR_NOT_FOUND)
            host->respond_error(w, cstr("ResourceNotFoundException"),
                                cstr("No loaded plugin serves that service and operation."), 400);
        else if (status == EMU_ERR_DEPTH_EXCEEDED)
            host->respond_error(w, cstr("LimitExceededException"), cstr("The bus call nests too deeply."), 400);
        else if (status != EMU_OK)
            host->respond_error(w, cstr("InternalFailure"), cstr("The bus call failed."), 500);
    }
    free(in.service);
    free(in.operation);
    free(in.input);
    return EMU_OK;
}

static emu_status op_stall(void *op_data, const emu_request_context *ctx, const uint8_t *input, size_t input_len,
                           emu_response_writer *w) {
    (void)op_data, (void)ctx;
    char text[16] = {0};
    memcpy(text, input, input_len < sizeof text - 1 ? input_len : sizeof text - 1);
    long seconds = strtol(text, NULL, 10);
    /* Said before blocking, so a test can wait for the stall to be under way instead of guessing a delay. */
    host->log(EMU_LOG_WARNING, cstr("echo"), cstr("Stall: blocking this thread on purpose"));
    sleep((unsigned)(seconds < 0 ? 0 : seconds > 600 ? 600 : seconds));
    write_text(w, "{}");
    return EMU_OK;
}

/* ---- descriptor and entry ------------------------------------------------------------------------------- */

static emu_status on_init(void *plugin_data) {
    (void)plugin_data;
    host->log(EMU_LOG_DEBUG, cstr("echo"), cstr("echo plugin ready"));
    return EMU_OK;
}

static const emu_operation operations[] = {
    {"Echo", op_echo, NULL, EMU_OP_NONBLOCKING},
    {"WhoAmI", op_who_am_i, NULL, EMU_OP_NONBLOCKING},
    /* may block: the callee may */
    {"CallService", op_call_service, NULL, 0},
    /* blocks on purpose */
    {"Stall", op_stall, NULL, 0},
};

static const emu_service services[] = {{
    .struct_size = sizeof(emu_service),
    .id = "echo",
    .protocol = EMU_PROTOCOL_JSON,
    .target_prefix = "EchoService",
    .signing_name = "echo",
    .api_version = "2026-01-01",
    .operations = operations,
    .operation_count = sizeof operations / sizeof operations[0],
}};

static const emu_plugin_descriptor descriptor = {
    .struct_size = sizeof(emu_plugin_descriptor),
    .abi_major = EMU_ABI_MAJOR,
    .abi_minor = EMU_ABI_MINOR,
    .name = "echo",
    .version = "0.1.0",
    .toolchain = "c " __VERSION__,
    .services = services,
    .service_count = 1,
    .state_format_version = 1,
    .on_init = on_init,
};

__attribute__((visibility("default"))) const emu_plugin_descriptor *emu_plugin_entry_v1(const emu_host_api *api) {
    if (!api || api->struct_size < sizeof(emu_host_api) || api->abi_major != EMU_ABI_MAJOR) return NULL;
    host = api;
    return &descriptor;
}
