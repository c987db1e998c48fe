/*
 * emu_plugin.h — the awsemu plugin ABI, version 1.
 *
 * This header is the whole contract between the awsemu host and a service plugin. A plugin is a shared
 * library that the host loads with dlopen(RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) and never unloads. It may be
 * written in any language that can export a C function: the host knows nothing else about it.
 *
 * KINDS OF DECLARATION
 *   emu_*            types and the one entry point.
 *   EMU_*            constants.
 *   on_*             hooks: function pointers that the PLUGIN implements and the HOST calls.
 *   emu_host_api.*   verbs: function pointers that the HOST implements and PLUGINS call.
 *
 * ENTRY
 *   The plugin exports exactly one symbol, `emu_plugin_entry_v1` (the major version is in the name). The host
 *   calls it once, with its API table, before anything else; it returns a pointer to a static descriptor that
 *   stays valid, and unchanged, for the life of the process (the host copies it before on_init). The host refuses a plugin whose descriptor has another
 *   abi_major, a struct_size smaller than the v1 size, no name, no services or a missing required hook, logs
 *   one line saying why, and goes on serving the other plugins.
 *
 * COMPATIBILITY
 *   Every struct starts with `uint32_t struct_size`. Structs only ever grow at the end; a reader checks
 *   struct_size before it reads a field added later. A NULL optional hook means "not implemented".
 *   The host passes EMU_ABI_MINOR in its table so a plugin can tell which verbs exist.
 *
 * OWNERSHIP
 *   Every pointer passed INTO a call (request bodies, strings, contexts) is borrowed for that call only: copy
 *   what you keep. Results go OUT through host-owned writers (emu_response_writer) whose verbs copy the bytes,
 *   so nothing is ever freed across the boundary. Strings carry a length (emu_str) and need not end in NUL,
 *   except the `const char *` names in static descriptors, which are NUL-terminated and static.
 *
 * ERRORS
 *   Two layers. emu_status says whether the call itself worked (a bad argument, an unknown service). An AWS
 *   error that the client must see (NotFoundException, HTTP 400, message) is a REPLY: the handler writes it with
 *   respond_error and still returns EMU_OK. Nothing may unwind across the boundary: no C++ exception, no Swift
 *   error, no trap.
 *
 * STREAMING (ABI 1.2)
 *   A REST service that sets EMU_SERVICE_STREAMS_BODIES never sees a large body in memory: the host spools a
 *   request body larger than MAX_REQUEST_BODY_BYTES to an unlinked temporary file (up to MAX_STREAMED_BODY_BYTES)
 *   and the handler reads it piece by piece with read_body; a handler may answer with respond_stream, handing
 *   the host a pull source that it drains into the connection as the client takes it, with backpressure. Memory
 *   stays flat however large the object.
 *
 * STATE (ABI 1.3)
 *   With PERSISTENCE=1 the host keeps every record a plugin hands over (state_put) and gives them back through
 *   on_state_load at start-up. A plugin that also implements on_state_snapshot can hand over its whole present
 *   state on request, so state export and an import that must be undone work without PERSISTENCE too.
 *
 * ERROR MEMBERS (ABI 1.4, 1.5)
 *   respond_error_fields answers with an AWS error that carries more than a code and a message, as S3's errors
 *   name the bucket, key or argument they are about; from 1.5 it also says when the message member of a JSON
 *   error is `Message` rather than `message`.
 *
 * THREADING
 *   Operation handlers and the raw HTTP handler are called concurrently from several host threads; a plugin
 *   guards its own state. A handler may block (key generation, disk): the host never calls a handler on its
 *   network event loop unless the operation carries EMU_OP_NONBLOCKING. on_init, on_state_load and
 *   on_shutdown are called from one thread while no handler runs. Every host verb may be called from any
 *   thread.
 */
#ifndef EMU_PLUGIN_H
#define EMU_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI major version: part of the entry symbol's name and checked exactly by the host. */
#define EMU_ABI_MAJOR 1u
/** The ABI minor version: grows when fields are appended; a host with a higher minor serves older plugins. */
#define EMU_ABI_MINOR 5u
/** The entry symbol's name, for hosts that look it up with dlsym. */
#define EMU_PLUGIN_ENTRY_SYMBOL "emu_plugin_entry_v1"

/** Result of a call across the boundary (not an AWS error: those are replies, see respond_error). */
typedef enum emu_status {
    EMU_OK = 0,
    /** An argument was NULL, too long or otherwise unusable. */
    EMU_ERR_INVALID_ARGUMENT = 1,
    /** bus_call named a service or operation that no loaded plugin serves. */
    EMU_ERR_NOT_FOUND = 2,
    /** bus_call would nest deeper than the host allows (a call cycle between plugins). */
    EMU_ERR_DEPTH_EXCEEDED = 3,
    /** Persistence could not record the change; the handler should answer with an internal error. */
    EMU_ERR_STORAGE = 4,
    /** Anything else went wrong inside the callee; the host answers the client with HTTP 500. */
    EMU_ERR_INTERNAL = 5,
    /**
     * (ABI 1.1) Returned by a handler that was called with ctx->may_block false (on the network event loop) and
     * finds it must block after all, e.g. KMS with a key in an external key store. The handler must not have
     * written a response or changed state; the host calls it again on a thread that may block.
     */
    EMU_ERR_WOULD_BLOCK = 6,
} emu_status;

/** Wire protocol a service speaks; the gateway decodes requests and renders errors accordingly. */
typedef enum emu_protocol {
    /** AWS JSON 1.0/1.1: POST with X-Amz-Target "<prefix>.<Operation>", JSON body, errors {"__type","message"}. */
    EMU_PROTOCOL_JSON = 1,
    /** AWS Query: form-encoded Action=...; the handler gets the parameters as one flat JSON object of strings
     *  and answers with an XML body; errors are rendered as <ErrorResponse>. */
    EMU_PROTOCOL_QUERY = 2,
    /** REST (XML or JSON): the plugin's on_http hook gets the raw request. */
    EMU_PROTOCOL_REST = 3,
} emu_protocol;

/** Log levels for emu_host_api.log, ordered by severity. */
typedef enum emu_log_level {
    EMU_LOG_TRACE = 0,
    EMU_LOG_DEBUG = 1,
    EMU_LOG_INFO = 2,
    EMU_LOG_NOTICE = 3,
    EMU_LOG_WARNING = 4,
    EMU_LOG_ERROR = 5,
} emu_log_level;

/** A borrowed byte string with a length; `ptr` may be NULL when `len` is 0. */
typedef struct emu_str {
    const char *ptr;
    size_t len;
} emu_str;

/** One HTTP header, borrowed. */
typedef struct emu_header {
    emu_str name;
    emu_str value;
} emu_header;

/**
 * Who is asking, and on whose behalf. Borrowed for the duration of the call. On a bus call the host copies
 * the caller's account, region and principal and records the calling plugin's service in via_service, which
 * KMS needs for the kms:ViaService condition key.
 */
typedef struct emu_request_context {
    uint32_t struct_size;
    /** The 12-digit account that owns the resources the request touches. */
    emu_str account_id;
    /** The region from the SigV4 credential scope, or the host's default region. */
    emu_str region;
    /** The request id the host sends back as x-amzn-RequestId. */
    emu_str request_id;
    /** The principal ARN of the caller (account root, IAM user, or assumed role). */
    emu_str principal_arn;
    /** The access key id that signed the request (empty on an unsigned request). */
    emu_str access_key_id;
    /** The service id (descriptor `id`) this request is addressed to. */
    emu_str service;
    /** The operation name, e.g. "Encrypt". */
    emu_str operation;
    /** Empty for a client request; on a bus call, the signing name of the calling service (e.g. "s3"). */
    emu_str via_service;
    /** 0 for a client request; one more for every nested bus call. */
    uint32_t bus_depth;
    /** Host-private: identifies the request for state_put / state_delete. Do not interpret. */
    void *host_request;
    /** (ABI 1.1) False when the handler runs on the network event loop: it must not block (see
     *  EMU_ERR_WOULD_BLOCK). Check struct_size before reading. */
    bool may_block;
} emu_request_context;

/** Host-owned sink for one response; a plugin only ever passes it back to emu_host_api verbs. */
typedef struct emu_response_writer emu_response_writer;

/**
 * A JSON or Query operation handler. `input` is the request body as UTF-8 JSON (for Query services, a flat
 * JSON object of the form parameters). Write the result with respond (or respond_error) and return EMU_OK.
 * `op_data` is the operation's own user_data from the table.
 */
typedef emu_status (*emu_operation_handler)(void *op_data, const emu_request_context *ctx, const uint8_t *input,
                                            size_t input_len, emu_response_writer *writer);

/** Flags on an operation. */
enum {
    /** The handler never blocks and is fast: the host may run it on the network event loop. */
    EMU_OP_NONBLOCKING = 1u << 0,
    /** The handler changes state: with persistence on, the host commits its state_put records before answering. */
    EMU_OP_MUTATING = 1u << 1,
};

/** One entry of a plugin's operation table. */
typedef struct emu_operation {
    /** NUL-terminated, static: the AWS operation name ("Encrypt"). */
    const char *name;
    emu_operation_handler handler;
    /** Passed back to `handler` unchanged. */
    void *user_data;
    /** EMU_OP_* flags. */
    uint32_t flags;
} emu_operation;

/** A raw HTTP request for a REST service; everything borrowed for the call. */
typedef struct emu_http_request {
    uint32_t struct_size;
    emu_str method;
    /** The path without the query string, still percent-encoded. */
    emu_str path;
    /** The raw query string without '?', still percent-encoded; empty when absent. */
    emu_str query;
    const emu_header *headers;
    size_t header_count;
    /** The body, or NULL when it is streamed (body_streamed); body_len is its length either way. */
    const uint8_t *body;
    size_t body_len;
    /** (ABI 1.2) True when the body is too large to hold in memory: `body` is NULL and the handler reads the
     *  body_len bytes with emu_host_api.read_body. Only for services with EMU_SERVICE_STREAMS_BODIES. Check
     *  struct_size before reading. */
    bool body_streamed;
    /** (ABI 1.2) Host-private: the streamed body behind read_body. Do not interpret. */
    void *host_body;
} emu_http_request;

/**
 * (ABI 1.2) A response body the plugin produces piece by piece, handed to respond_stream. The host takes it
 * over: it calls `read` from threads that may block, one call at a time, after the handler has returned, until
 * the announced length is delivered; then, or when the client goes away or the response is replaced by an
 * error, it calls `close` exactly once, after which it never touches `source_data` again.
 */
typedef struct emu_body_source {
    uint32_t struct_size;
    /** Fills `buffer` with up to `capacity` next bytes and sets `*out_len`; 0 only at the end. A non-EMU_OK
     *  status ends the response early (the host closes the connection, as a server must once the length is
     *  announced). */
    emu_status (*read)(void *source_data, uint8_t *buffer, size_t capacity, size_t *out_len);
    /** Releases the source. */
    void (*close)(void *source_data);
    void *source_data;
} emu_body_source;

/** The raw HTTP hook of a REST service. Answer with set_status / add_header / respond or respond_error. */
typedef emu_status (*emu_http_handler)(void *plugin_data, const emu_request_context *ctx,
                                       const emu_http_request *request, emu_response_writer *writer);

/** Flags on a service (emu_service.flags, ABI 1.2). */
enum {
    /** The REST handler reads request bodies past MAX_REQUEST_BODY_BYTES with read_body (see STREAMING). */
    EMU_SERVICE_STREAMS_BODIES = 1u << 0,
};

/** One service a plugin serves. A plugin may serve several (rare). */
typedef struct emu_service {
    uint32_t struct_size;
    /** NUL-terminated service id used by SERVICES= and bus_call, e.g. "kms". */
    const char *id;
    emu_protocol protocol;
    /** JSON protocol: the X-Amz-Target prefix before the dot, e.g. "TrentService". NULL otherwise. */
    const char *target_prefix;
    /** The SigV4 signing name from the credential scope, e.g. "kms", "sts", "s3". */
    const char *signing_name;
    /** The API version string (Query protocol "Version", informational for others). */
    const char *api_version;
    const emu_operation *operations;
    size_t operation_count;
    /** REST services: the raw HTTP handler. NULL for JSON/Query services. */
    emu_http_handler on_http;
    /** (ABI 1.2) EMU_SERVICE_* flags. Check struct_size before reading. */
    uint32_t flags;
} emu_service;

/** A stored record handed to on_state_load; borrowed for the call. */
typedef struct emu_state_record {
    uint32_t struct_size;
    /** Plugin-chosen grouping, e.g. "key", "alias". */
    emu_str ns;
    /** Plugin-chosen key, unique within ns; a plugin that keeps state per account and region says so here. */
    emu_str key;
    const uint8_t *value;
    size_t value_len;
    /** The plugin's state_format_version when the record was written. */
    uint32_t format_version;
} emu_state_record;

/**
 * (ABI 1.3) Takes one record of a plugin's snapshot (see on_state_snapshot); the record is borrowed for the call.
 * Returns EMU_OK to be given the next record; anything else asks the plugin to stop and return that status.
 */
typedef emu_status (*emu_state_sink)(void *sink_context, const emu_state_record *record);

/** What a bus call answered; borrowed for the duration of the result callback only. */
typedef struct emu_bus_result {
    uint32_t struct_size;
    /** The HTTP status the callee answered with (200 on success). */
    uint32_t http_status;
    /** Empty on success; else the AWS error code, e.g. "DisabledException". */
    emu_str error_code;
    emu_str error_message;
    /** The response body (JSON for JSON services). */
    const uint8_t *body;
    size_t body_len;
} emu_bus_result;

/** Called by bus_call, before it returns, with the callee's answer. */
typedef void (*emu_bus_result_fn)(void *user_data, const emu_bus_result *result);

/** (ABI 1.1) What an outbound HTTP call got; borrowed for the duration of the result callback only. */
typedef struct emu_http_result {
    uint32_t struct_size;
    /** The HTTP status, or 0 when no response arrived (refused, unreachable, timed out). */
    uint32_t status;
    /** Empty on a response; otherwise why none arrived. */
    emu_str error_message;
    const emu_header *headers;
    size_t header_count;
    const uint8_t *body;
    size_t body_len;
} emu_http_result;

/** Called by http_call, before it returns, with the outcome. */
typedef void (*emu_http_result_fn)(void *user_data, const emu_http_result *result);

/** Who owns an access key, as the host's identity registry knows it. */
typedef struct emu_identity {
    uint32_t struct_size;
    emu_str account_id;
    emu_str principal_arn;
} emu_identity;

/** Called by identity_lookup with what it found; borrowed for the callback only. */
typedef void (*emu_identity_fn)(void *user_data, const emu_identity *identity);

/**
 * The verbs the host offers. Passed to emu_plugin_entry_v1; valid for the life of the process. Every verb is
 * thread-safe.
 */
typedef struct emu_host_api {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;

    /** Writes one log line under the plugin's name. Never log key material, plaintexts or secrets. */
    void (*log)(emu_log_level level, emu_str plugin, emu_str message);

    /** Sets the HTTP status of the response (default 200). */
    void (*set_status)(emu_response_writer *writer, uint32_t status);
    /** Adds a response header (copied). */
    void (*add_header)(emu_response_writer *writer, emu_str name, emu_str value);
    /** Appends bytes to the response body (copied). May be called several times. */
    void (*respond)(emu_response_writer *writer, const uint8_t *body, size_t len);
    /**
     * Answers with an AWS error. The host renders it in the service's protocol (JSON __type/message, leaving an
     * empty message out as AWS does; Query ErrorResponse XML; REST XML <Error>) and discards anything written
     * before.
     */
    void (*respond_error)(emu_response_writer *writer, emu_str code, emu_str message, uint32_t http_status);

    /**
     * Calls another plugin's operation in-process, as if `ctx`'s caller had called it, with via_service set to
     * the caller's service. The target is resolved now, so load order does not matter. `on_result` is called
     * exactly once before this returns EMU_OK. EMU_ERR_NOT_FOUND: no such service or operation is loaded.
     */
    emu_status (*bus_call)(const emu_request_context *ctx, emu_str service, emu_str operation,
                           const uint8_t *input, size_t input_len, emu_bus_result_fn on_result, void *user_data);

    /**
     * Records a changed record for persistence, within the request `ctx`. With persistence off this is a cheap
     * no-op. The host commits all records of a request together, after the handler returns and before the
     * response leaves; the records of a request answered with an error are dropped.
     */
    emu_status (*state_put)(const emu_request_context *ctx, emu_str ns, emu_str key, const uint8_t *value,
                            size_t value_len);
    /** Records the deletion of a record, like state_put. */
    emu_status (*state_delete)(const emu_request_context *ctx, emu_str ns, emu_str key);

    /** Looks up an access key. Calls `on_found` (before returning EMU_OK) or returns EMU_ERR_NOT_FOUND. */
    emu_status (*identity_lookup)(emu_str access_key_id, emu_identity_fn on_found, void *user_data);
    /** Registers temporary credentials (STS) so that later requests signed with them carry `principal_arn`. */
    emu_status (*identity_register)(emu_str access_key_id, emu_str secret_access_key, emu_str account_id,
                                    emu_str principal_arn, int64_t expires_unix_ms);

    /**
     * The host clock in milliseconds since the Unix epoch. Always use it rather than the system clock: tests
     * move it forward (POST /_emu/clock) to end deletion windows and trigger rotation.
     */
    int64_t (*clock_now_ms)(void);

    /** Whether persistence is on, so a plugin can skip serialising records nobody stores. */
    bool (*persistence_enabled)(void);
    /** Reads a host configuration value (an environment variable such as KMS_SEED_PATH) into `on_value`. */
    bool (*config_get)(emu_str name, void (*on_value)(void *user_data, emu_str value), void *user_data);

    /**
     * (ABI 1.1) Sends one HTTP/1.1 request (http:// only) and waits for the answer, at most `timeout_ms`. Blocks
     * the calling thread: never call it from a handler whose ctx->may_block is false. `on_result` is called
     * exactly once before this returns EMU_OK, with status 0 and a message when no response arrived.
     */
    emu_status (*http_call)(emu_str method, emu_str url, const emu_header *headers, size_t header_count,
                            const uint8_t *body, size_t body_len, uint32_t timeout_ms, emu_http_result_fn on_result,
                            void *user_data);

    /**
     * (ABI 1.2) Reads the next piece of a streamed request body (request->body_streamed) into `buffer`, at most
     * `capacity` bytes; `*out_len` is 0 at the end. Only during the handler call that received `request`.
     * EMU_ERR_STORAGE: the spooled body could not be read.
     */
    emu_status (*read_body)(const emu_http_request *request, uint8_t *buffer, size_t capacity, size_t *out_len);
    /**
     * (ABI 1.2) Answers with a body of exactly `length` bytes that the host pulls from `source` (copied; see
     * emu_body_source) instead of one written with respond. Headers and status as usual; Content-Length is set
     * by the host. A later respond_error replaces it, and the host closes the source.
     */
    void (*respond_stream)(emu_response_writer *writer, uint64_t length, const emu_body_source *source);

    /**
     * (ABI 1.4) respond_error with the further members some AWS errors carry, such as S3's <BucketName>, <Key>,
     * <UploadId> or <ArgumentName>: each pair becomes an element after <Message> in REST and Query XML, and a
     * string member in JSON. A name must be at most 64 ASCII letters, digits and hyphens, starting with a letter,
     * and not, in any case, one the host writes itself or SDKs read as code or message (Code, Message, RequestId,
     * HostId, Type, __type); the host drops any other. Values XML cannot carry become U+FFFD. The bus carries
     * only the code and message.
     *
     * (ABI 1.5) One reserved name is taken, spelled exactly `Message`: it is not a member but says that the
     * service's model names the exception's message member `Message` (Secrets Manager's exceptions do), and
     * AWS writes a JSON error as that shape. The host then writes the message under `Message` instead of
     * `message` in JSON; its value should be the message, and the `message` argument is what is written. XML
     * always has <Message>. Hosts before 1.5 drop it, so check the host's abi_minor first; a 1.5 host drops it
     * too from a plugin built for an older minor, to which the name was reserved.
     */
    void (*respond_error_fields)(emu_response_writer *writer, emu_str code, emu_str message, uint32_t http_status,
                                 const emu_header *fields, size_t field_count);
} emu_host_api;

/** The static description of a plugin, returned by emu_plugin_entry_v1. */
typedef struct emu_plugin_descriptor {
    uint32_t struct_size;
    /** Must equal EMU_ABI_MAJOR. */
    uint32_t abi_major;
    /** The EMU_ABI_MINOR the plugin was built against. */
    uint32_t abi_minor;
    /** NUL-terminated plugin name, e.g. "kms". */
    const char *name;
    /** NUL-terminated plugin version, e.g. "0.1.0". */
    const char *version;
    /** The compiler that built the plugin (a Swift plugin must match the host's toolchain exactly). */
    const char *toolchain;
    const emu_service *services;
    size_t service_count;
    /** The version of the plugin's persisted record format; records carry it into on_state_load. */
    uint32_t state_format_version;
    /** Passed back to every hook. */
    void *plugin_data;

    /** Required. Called once after loading, before any request. Non-EMU_OK refuses the plugin. */
    emu_status (*on_init)(void *plugin_data);
    /** Optional. Called once at clean shutdown (SIGINT/SIGTERM). */
    void (*on_shutdown)(void *plugin_data);
    /**
     * Optional (required for persistence). Called once per stored record at start-up, in commit order, before
     * any request. Return EMU_ERR_INVALID_ARGUMENT for a record format the plugin cannot read.
     */
    emu_status (*on_state_load)(void *plugin_data, const emu_state_record *record);
    /** Optional. Empties all the plugin's state (POST /_emu/state/reset). */
    void (*on_state_reset)(void *plugin_data);
    /**
     * Optional. Called periodically (every TICK_SECONDS, 1 by default; never with 0) and after the clock moves
     * (POST /_emu/clock), so a plugin can do what time brings: finish deletion windows, rotate keys. `ctx`
     * carries no caller; state_put works within it.
     */
    void (*on_tick)(void *plugin_data, const emu_request_context *ctx);
    /**
     * (ABI 1.3) Optional. Hands the plugin's whole present state to `sink`, one call per record, exactly the
     * records state_put would have stored for it (format_version = state_format_version), so that on_state_reset
     * followed by on_state_load of each of them gives the same state back. Without PERSISTENCE this is the only
     * copy of the state outside the plugin: the host exports it, and keeps it to undo a failed import. Called
     * while no handler and no tick runs. Returns EMU_OK, or the first status from `sink` that was not EMU_OK.
     * Check struct_size before reading.
     */
    emu_status (*on_state_snapshot)(void *plugin_data, emu_state_sink sink, void *sink_context);
} emu_plugin_descriptor;

/** The signature of the one exported symbol. */
typedef const emu_plugin_descriptor *(*emu_plugin_entry_fn)(const emu_host_api *host);

/** Declared for C plugins; a plugin defines it (with default visibility). */
const emu_plugin_descriptor *emu_plugin_entry_v1(const emu_host_api *host);

/* Layout checks: these structs are read by code built separately from the plugin. */
_Static_assert(sizeof(emu_str) == 2 * sizeof(void *), "emu_str must be a pointer and a length");
_Static_assert(offsetof(emu_plugin_descriptor, struct_size) == 0, "struct_size must come first");
_Static_assert(offsetof(emu_host_api, struct_size) == 0, "struct_size must come first");

#ifdef __cplusplus
}
#endif

#endif /* EMU_PLUGIN_H */
