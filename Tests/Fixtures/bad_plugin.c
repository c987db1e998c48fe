/*
 * bad_plugin.c — libraries the awsemu loader must refuse, one per -D macro. EmuHostTests compiles each with
 *
 *   cc -shared -fPIC -I Sources/PluginABI/include -D<CASE> -o <dir>/lib<case>.so Tests/Fixtures/bad_plugin.c
 *
 *   BAD_NO_ENTRY      exports no entry symbol at all
 *   BAD_ENTRY_V2      exports only emu_plugin_entry_v2 (built for another ABI major)
 *   BAD_ABI_MAJOR     emu_plugin_entry_v1 whose descriptor says abi_major 2
 *   BAD_STRUCT_SIZE   a descriptor whose struct_size is smaller than ABI v1's
 *   BAD_NO_INIT       no on_init hook (it is required)
 *   BAD_INIT_FAILS    on_init answers EMU_ERR_INTERNAL (refused only when the host initialises plugins)
 *   BAD_NO_SERVICES   a descriptor that declares no services
 *   BAD_DUP_STS       a valid plugin whose service id is "sts", which the STS plugin already serves
 *   OLD_MINOR         not bad: a valid plugin built against ABI 1.2, whose descriptor ends before on_state_snapshot
 *                     (1.3); the host must load it
 *   SNAPSHOT_FAILS    loads, takes any record, but cannot hand over its state (on_state_snapshot fails): an export
 *                     or an import without PERSISTENCE must say so, and change nothing
 *
 * Each case has its own plugin name and service id, so that the cases never collide with each other.
 */
#include "emu_plugin.h"

#include <stddef.h>

#if defined(BAD_NO_ENTRY)
#define FIXTURE "no-entry"
#elif defined(BAD_ENTRY_V2)
#define FIXTURE "entry-v2"
#elif defined(BAD_ABI_MAJOR)
#define FIXTURE "abi-major"
#elif defined(BAD_STRUCT_SIZE)
#define FIXTURE "struct-size"
#elif defined(BAD_NO_INIT)
#define FIXTURE "no-init"
#elif defined(BAD_INIT_FAILS)
#define FIXTURE "init-fails"
#elif defined(BAD_NO_SERVICES)
#define FIXTURE "no-services"
#elif defined(BAD_DUP_STS)
#define FIXTURE "dup-sts"
#elif defined(OLD_MINOR)
#define FIXTURE "old-minor"
#elif defined(SNAPSHOT_FAILS)
#define FIXTURE "snapshot-fails"
#else
#error "define one BAD_* case"
#endif

/* The loadable fixture is named "ok-…", so that a test can tell it from the refused "bad-…" ones. */
#if defined(OLD_MINOR) || defined(SNAPSHOT_FAILS)
#define NAME "ok-" FIXTURE
#else
#define NAME "bad-" FIXTURE
#endif

#if defined(BAD_DUP_STS)
#define SERVICE_ID "sts"
#else
#define SERVICE_ID NAME
#endif

/* Not every case uses every definition below. */
#define MAYBE_UNUSED __attribute__((unused))

MAYBE_UNUSED static emu_status answer_empty(void *op_data, const emu_request_context *ctx, const uint8_t *input,
                                            size_t input_len, emu_response_writer *writer) {
    (void)op_data, (void)ctx, (void)input, (void)input_len, (void)writer;
    return EMU_OK;
}

MAYBE_UNUSED static emu_status init_ok(void *plugin_data) {
    (void)plugin_data;
    return EMU_OK;
}

MAYBE_UNUSED static emu_status load_any(void *plugin_data, const emu_state_record *record) {
    (void)plugin_data, (void)record;
    return EMU_OK;
}

MAYBE_UNUSED static void reset_nothing(void *plugin_data) { (void)plugin_data; }

MAYBE_UNUSED static emu_status snapshot_fails(void *plugin_data, emu_state_sink sink, void *sink_context) {
    (void)plugin_data, (void)sink, (void)sink_context;
    return EMU_ERR_INTERNAL;
}

MAYBE_UNUSED static emu_status init_fails(void *plugin_data) {
    (void)plugin_data;
    return EMU_ERR_INTERNAL;
}

/* A loadable fixture must not take GetCallerIdentity from STS (a Query request is routed by its Action). */
#if defined(OLD_MINOR) || defined(SNAPSHOT_FAILS)
static const emu_operation operations[] = {{"Ping", answer_empty, NULL, EMU_OP_NONBLOCKING}};
#else
static const emu_operation operations[] = {{"GetCallerIdentity", answer_empty, NULL, EMU_OP_NONBLOCKING}};
#endif

MAYBE_UNUSED static const emu_service services[] = {{
    .struct_size = sizeof(emu_service),
    .id = SERVICE_ID,
    .protocol = EMU_PROTOCOL_QUERY,
    .signing_name = SERVICE_ID,
    .api_version = "2026-01-01",
    .operations = operations,
    .operation_count = 1,
}};

static const emu_plugin_descriptor descriptor = {
#if defined(BAD_STRUCT_SIZE)
    .struct_size = offsetof(emu_plugin_descriptor, on_init),
#elif defined(OLD_MINOR)
    .struct_size = offsetof(emu_plugin_descriptor, on_state_snapshot),
#else
    .struct_size = sizeof(emu_plugin_descriptor),
#endif
#if defined(BAD_ABI_MAJOR)
    .abi_major = 2,
#else
    .abi_major = EMU_ABI_MAJOR,
#endif
#if defined(OLD_MINOR)
    .abi_minor = 2,
#else
    .abi_minor = EMU_ABI_MINOR,
#endif
    .name = NAME,
    .version = "0.0.1",
    .toolchain = "c",
#if defined(BAD_NO_SERVICES)
    .services = NULL,
    .service_count = 0,
#else
    .services = services,
    .service_count = 1,
#endif
    .state_format_version = 1,
#if defined(BAD_INIT_FAILS)
    .on_init = init_fails,
#elif !defined(BAD_NO_INIT)
    .on_init = init_ok,
#endif
#if defined(SNAPSHOT_FAILS)
    .on_state_load = load_any,
    .on_state_reset = reset_nothing,
    .on_state_snapshot = snapshot_fails,
#endif
};

#if defined(BAD_NO_ENTRY)
/* Something exported, so that the library is a valid ELF image with symbols, just not a plugin. */
__attribute__((visibility("default"))) int not_a_plugin(void) { return (int)descriptor.struct_size; }
#elif defined(BAD_ENTRY_V2)
__attribute__((visibility("default"))) const emu_plugin_descriptor *emu_plugin_entry_v2(const emu_host_api *host) {
    (void)host;
    return &descriptor;
}
#else
__attribute__((visibility("default"))) const emu_plugin_descriptor *emu_plugin_entry_v1(const emu_host_api *host) {
    (void)host;
    return &descriptor;
}
#endif
