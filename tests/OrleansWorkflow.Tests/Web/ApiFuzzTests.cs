using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Npgsql;
using OrleansWorkflow.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Web;

[CollectionDefinition(Name)]
public sealed class ApiFuzzCollection
{
    public const string Name = "api-fuzz";
}

/// <summary>
/// Property-based fuzzing of the HTTP API of a live silo (owf-silo, with an operator key), driven by the silo's own
/// OpenAPI document: CsCheck generates requests for every operation it describes (path and query values from the
/// document's parameters, bodies from its schemas, then mutated: wrong types, missing keys, other JSON, not JSON, other
/// content types). No request may get a 5xx, and no refused request may change what the engine stores.
/// </summary>
[Collection(ApiFuzzCollection.Name)]
public sealed class ApiFuzzTests(ITestOutputHelper output)
{
    /// <summary>Requests per run: about a minute and a half on a loaded 2-core machine.</summary>
    private const int Cases = 2000;

    /// <summary>No request is sent after this long, so the run stays within the three minutes .ci/run gives it.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(150);

    /// <summary>Fewer cases than this in the budget prove too little: the test fails rather than pass on a handful.</summary>
    private const int FewestCases = 500;

    private static readonly string[] EngineTables = ["owf_grain_state", "owf_incident", "owf_incident_step", "owf_incident_dead_letter", "owf_handler_step", "owf_step_attempt"];

    [Fact]
    public async Task Fuzzing_every_operation_of_the_OpenAPI_document_gets_no_5xx_and_no_refused_request_changes_anything()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var silo = await SiloProcess.StartAsync(database, broker,
            new Dictionary<string, string> { ["OWF_Web__MutationsPerSecond"] = "1000000" }, host: SiloProcess.ShippedHost);
        using var admin = Http(silo, await silo.AdminKeyAsync());
        var created = await admin.PostAsJsonAsync("/api/keys", new { name = "fuzz-operator", role = "operator" });
        using var http = Http(silo, (await created.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>());

        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!.AsObject();
        var operations = Operation.AllIn(document);
        Assert.True(operations.Count >= 15, $"the OpenAPI document describes {operations.Count} operations: " + string.Join(", ", operations));
        var incidents = new List<string>();
        for (var i = 0; i < 3; i++)
            incidents.Add((await (await http.PostAsJsonAsync("/api/incidents", new { name = $"fuzzed {i}", kind = "FIRE" })).Content.ReadFromJsonAsync<JsonObject>())!["incidentId"]!.GetValue<string>());

        var statuses = new SortedDictionary<int, int>();
        var failures = new List<string>();
        var tried = 0;
        var changed = false;
        var running = System.Diagnostics.Stopwatch.StartNew();
        // Failures are collected, not thrown: CsCheck would shrink by sending more requests to a silo they change.
        await Requests(operations, incidents).SampleAsync(async request =>
        {
            if (running.Elapsed > Budget)
                return;
            // What an accepted change writes after its response (a cancelled incident's handlers, say) is not the next request's doing.
            var before = changed ? await SettledFingerprintAsync(database.ConnectionString) : await FingerprintAsync(database.ConnectionString);
            var (status, location) = await request.SendAsync(http);
            tried++;
            // Incidents the fuzzer creates are fuzzed too: a fresh one is where a change can show.
            if (status == 201 && location?.StartsWith("/api/incidents/", StringComparison.Ordinal) == true)
                incidents.Add(location["/api/incidents/".Length..]);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            changed = status is >= 200 and < 300 && request.Method is "POST" or "DELETE";
            if (status >= 500)
                failures.Add($"{request} got {status}");
            else if (status >= 400 && await FingerprintAsync(database.ConnectionString) is var after && before != after)
                failures.Add($"{request} was refused ({status}) but changed what the engine stores (in {Changed(before, after)}; latest grain states: {await LatestStatesAsync(database.ConnectionString)})");
        }, iter: Cases, threads: 1, print: r => r.ToString());

        var summary = $"API fuzzing: {tried} cases (of {Cases}, in {running.Elapsed.TotalSeconds:0} s) over {operations.Count} operations of /openapi/v1.json with an operator key; " +
                      $"status codes: {string.Join(", ", statuses.Select(s => $"{s.Key} x{s.Value}"))}; 5xx: {statuses.Where(s => s.Key >= 500).Sum(s => s.Value)}";
        output.WriteLine(summary);
        Directory.CreateDirectory(Path.Combine(LoopbackHpc.RepositoryRoot, "TestResults"));
        await File.WriteAllTextAsync(Path.Combine(LoopbackHpc.RepositoryRoot, "TestResults", "api-fuzz.txt"), summary + "\n");
        Assert.True(failures.Count == 0, $"{failures.Count} of {tried} requests failed; the first: {failures.FirstOrDefault()}");
        Assert.True(tried >= FewestCases, $"only {tried} cases were tried in {Budget.TotalSeconds:0} s");
        Assert.Contains(statuses.Keys, s => s is >= 200 and < 300); // the fuzzer got past validation too
    }

    private static HttpClient Http(SiloProcess silo, string? key)
    {
        var http = new HttpClient { BaseAddress = silo.WebUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    /// <summary>
    /// The fingerprint once two readings 600 ms apart agree (at most 10 s): an incident writes what changed in it up to
    /// 500 ms after the change (its step write delay).
    /// </summary>
    private static async Task<string> SettledFingerprintAsync(string database)
    {
        var last = await FingerprintAsync(database);
        for (var i = 0; i < 16; i++)
        {
            await Task.Delay(600);
            var now = await FingerprintAsync(database);
            if (now == last)
                return now;
            last = now;
        }
        return last;
    }

    private static async Task<string> LatestStatesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT string_agg(state_name || ' v' || version || ' ' || to_char(modified_at, 'HH24:MI:SS.MS'), '; ') FROM (SELECT * FROM owf_grain_state ORDER BY modified_at DESC LIMIT 3) s", connection);
        return (await command.ExecuteScalarAsync())?.ToString() ?? "";
    }

    /// <summary>The tables whose hashes differ.</summary>
    private static string Changed(string before, string after) =>
        string.Join(", ", EngineTables.Where((_, i) => before.Substring(32 * i, 32) != after.Substring(32 * i, 32)));

    /// <summary>Every row of the engine's own tables, hashed: equal before and after a request when it changed nothing.</summary>
    private static async Task<string> FingerprintAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var sql = string.Join(" || ", EngineTables.Select(t => $"(SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) FROM {t} r)"));
        await using var command = new NpgsqlCommand($"SELECT {sql}", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    // ---- What the document says ------------------------------------------------------------------------------------

    private sealed record Parameter(string Name, string In, JsonNode? Schema);

    private sealed record Operation(string Method, string Path, IReadOnlyList<Parameter> Parameters, JsonNode? Body, JsonObject Document)
    {
        public static List<Operation> AllIn(JsonObject document) =>
            [.. document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject().Select(op => new Operation(
                op.Key.ToUpperInvariant(), path.Key,
                [.. (op.Value!["parameters"]?.AsArray() ?? []).Select(p => new Parameter(p!["name"]!.GetValue<string>(), p["in"]!.GetValue<string>(), p["schema"]))],
                op.Value["requestBody"]?["content"]?["application/json"]?["schema"], document)))];

        /// <summary>A schema with its $ref followed.</summary>
        public JsonNode? Resolve(JsonNode? schema) =>
            schema?["$ref"]?.GetValue<string>() is { } reference
                ? Resolve(reference.TrimStart('#', '/').Split('/').Aggregate((JsonNode?)Document, (node, part) => node?[part]))
                : schema;

        public override string ToString() => $"{Method} {Path}";
    }

    private sealed record Request(string Method, string Url, string? Body, string? ContentType)
    {
        /// <summary>Sends the request; its status, and where a created thing is (Location).</summary>
        public async Task<(int Status, string? Location)> SendAsync(HttpClient http)
        {
            using var message = new HttpRequestMessage(new HttpMethod(Method), Url);
            if (Body is not null)
            {
                message.Content = new StringContent(Body, Encoding.UTF8);
                message.Content.Headers.ContentType = ContentType is null ? null : System.Net.Http.Headers.MediaTypeHeaderValue.Parse(ContentType);
            }
            // Headers only: an event stream never ends by itself.
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
            return ((int)response.StatusCode, response.Headers.Location?.OriginalString);
        }

        public override string ToString() => $"{Method} {Url} [{ContentType}] {(Body is { Length: > 200 } ? Body[..200] + "..." : Body)}";
    }

    // ---- Generators ------------------------------------------------------------------------------------------------

    private static readonly Gen<string> Garbage = Gen.Frequency(
        (4, Gen.String[Gen.Char["abcxyz019_-. /%\\:?#&=+é中😀\"'<>{}"], 0, 24]),
        (1, Gen.String[Gen.Char["a/%."], 200, 600]),
        (1, Gen.OneOf("", " ", "..", "../..", "%00", "null", "-1", "0", "99999999999999999999", "NaN", "true", "[]", "{}")));

    private static Gen<Request> Requests(IReadOnlyList<Operation> operations, IReadOnlyList<string> incidents) =>
        Gen.Int[0, operations.Count - 1].SelectMany(i => RequestFor(operations[i], incidents));

    private static Gen<Request> RequestFor(Operation operation, IReadOnlyList<string> incidents)
    {
        var path = operation.Parameters.Where(p => p.In == "path")
            .Aggregate(Gen.Const(operation.Path), (url, p) => url.SelectMany(u => PathValue(p.Name, incidents).Select(v => u.Replace($"{{{p.Name}}}", Uri.EscapeDataString(v)))));
        var query = operation.Parameters.Where(p => p.In == "query")
            .Aggregate(Gen.Const(""), (q, p) => q.SelectMany(text => Gen.Frequency(
                (2, Gen.Const(text)),
                (5, Value(operation, operation.Resolve(p.Schema), depth: 0).Select(v => $"{text}{(text.Length == 0 ? "?" : "&")}{p.Name}={Uri.EscapeDataString(v is JsonValue s && s.GetValueKind() == JsonValueKind.String ? s.GetValue<string>() : v?.ToJsonString() ?? "")}")))));
        var body = operation.Method is "GET" or "DELETE"
            ? Gen.Frequency((9, Gen.Const<(string?, string?)>((null, null))), (1, Bodies(operation)))
            : Bodies(operation);
        return path.SelectMany(p => query.SelectMany(q => body.Select(b => new Request(operation.Method, p + q, b.Item1, b.Item2))));
    }

    private static Gen<string> PathValue(string name, IReadOnlyList<string> incidents) => name switch
    {
        // Read when each request is made: the list grows as the fuzzer creates incidents.
        "id" => Gen.Frequency((5, Gen.Int[0, int.MaxValue].Select(i => incidents[i % incidents.Count])), (2, Gen.Guid.Select(g => g.ToString())), (2, Garbage)),
        "queue" => Gen.Frequency((3, Gen.OneOf("fire_terrain", "test_record", "A_queue")), (2, Garbage)),
        "machine" => Gen.Frequency((3, Gen.OneOf("loopback", "archer")), (2, Garbage)),
        "messageId" => Gen.Frequency((3, Gen.Guid.Select(g => g.ToString())), (2, Garbage)),
        "name" => Gen.Frequency((3, Gen.OneOf("admin", "fuzz-operator", "ops-desk")), (2, Garbage)),
        _ => Garbage,
    };

    /// <summary>A body and its content type: one the schema describes, the same mutated, other JSON, or no JSON at all.</summary>
    private static Gen<(string?, string?)> Bodies(Operation operation)
    {
        var schema = operation.Resolve(operation.Body);
        var json = Gen.Frequency(
            (5, Value(operation, schema ?? new JsonObject { ["type"] = "object" }, depth: 0)),
            (3, Value(operation, schema ?? new JsonObject { ["type"] = "object" }, depth: 0).SelectMany(v => Mutated(v))),
            (2, AnyJson(depth: 0)));
        // Nested deeper than a JSON reader's default limit of 64.
        var deep = Gen.Int[50, 300].Select(n => string.Concat(Enumerable.Repeat("[", n)) + string.Concat(Enumerable.Repeat("]", n)));
        return Gen.Frequency(
            (12, json.Select(v => ((string?)(v?.ToJsonString() ?? "null"), (string?)"application/json"))),
            (1, Garbage.Select(text => ((string?)text, (string?)"application/json"))),
            (1, deep.Select(text => ((string?)text, (string?)"application/json"))),
            (1, json.SelectMany(v => Gen.OneOf("text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", "application/xml")
                .Select(type => ((string?)(v?.ToJsonString() ?? "null"), (string?)type)))),
            (1, Gen.Const<(string?, string?)>(("", "application/json"))));
    }

    /// <summary>A value the schema describes (strings of its enum, date-times, integers, objects with their properties).</summary>
    private static Gen<JsonNode?> Value(Operation operation, JsonNode? schema, int depth)
    {
        schema = operation.Resolve(schema);
        if (schema?["enum"] is JsonArray values && values.Count > 0)
            return Gen.Frequency((4, Gen.OneOf([.. values.Select(v => v?.DeepClone())])), (1, Garbage.Select(g => (JsonNode?)g)));
        if ((schema?["oneOf"] ?? schema?["anyOf"]) is JsonArray choices && choices.Count > 0)
            return Gen.Int[0, choices.Count - 1].SelectMany(i => Value(operation, choices[i], depth));
        var types = schema?["type"] switch
        {
            JsonArray many => many.Select(t => t!.GetValue<string>()).ToArray(),
            JsonValue one => [one.GetValue<string>()],
            _ => ["any"],
        };
        return Gen.Int[0, types.Length - 1].SelectMany(i => types[i] switch
        {
            "string" when schema?["format"]?.GetValue<string>() == "date-time" => Gen.Frequency(
                // Days ahead: a deadline that passes during the run would change an incident in the background, blamed on whoever ran then.
                (4, Gen.Int[1, 36500].Select(days => (JsonNode?)DateTimeOffset.UtcNow.AddDays(days).ToString("O"))), (1, Garbage.Select(g => (JsonNode?)g))),
            "string" => Gen.Frequency((3, Gen.OneOf("FIRE", "TEST", "Routine", "Emergency", "operator", "viewer", "admin", "Draining", "Enabled", "fire contained")
                .Select(s => (JsonNode?)s)), (2, Garbage.Select(g => (JsonNode?)g))),
            "integer" or "number" => Gen.Frequency((3, Gen.Int[-10, 1000].Select(n => (JsonNode?)n)), (1, Gen.Long.Select(n => (JsonNode?)n))),
            "boolean" => Gen.Bool.Select(b => (JsonNode?)b),
            "null" => Gen.Const((JsonNode?)null),
            "object" when schema?["properties"] is JsonObject properties && depth < 3 => properties
                .Aggregate(Gen.Const(new List<(string, JsonNode?)>()), (all, p) => all.SelectMany(list => Gen.Frequency(
                    (1, Gen.Const(list)),
                    (6, Value(operation, p.Value, depth + 1).Select(v => new List<(string, JsonNode?)>(list) { (p.Key, v) })))))
                .Select(list => (JsonNode?)new JsonObject(list.Select(e => KeyValuePair.Create(e.Item1, e.Item2)))),
            _ => AnyJson(depth),
        });
    }

    /// <summary>The value with one thing wrong: a key dropped, a value of another type, an unknown key, or a value that is no object.</summary>
    private static Gen<JsonNode?> Mutated(JsonNode? value) => value is JsonObject body && body.Count > 0
        ? Gen.Int[0, body.Count - 1].SelectMany(i => AnyJson(1).SelectMany(other => Gen.Int[0, 2].Select(how =>
        {
            var copy = body.DeepClone().AsObject();
            var key = copy.ElementAt(i).Key;
            switch (how)
            {
                case 0: copy.Remove(key); break;
                case 1: copy[key] = other; break;
                default: copy["unexpected_" + key] = other; break;
            }
            return (JsonNode?)copy;
        })))
        : AnyJson(0);

    private static Gen<JsonNode?> AnyJson(int depth) => depth >= 3
        ? Gen.Frequency((2, Garbage.Select(s => (JsonNode?)s)), (2, Gen.Int.Select(n => (JsonNode?)n)), (1, Gen.Const((JsonNode?)null)), (1, Gen.Bool.Select(b => (JsonNode?)b)))
        : Gen.Frequency(
            (3, AnyJson(3)),
            (1, AnyJson(depth + 1).Array[0, 4].Select(items => (JsonNode?)new JsonArray(items))),
            (1, Gen.Select(Garbage, AnyJson(depth + 1)).Array[0, 4].Select(pairs => (JsonNode?)new JsonObject(pairs.DistinctBy(p => p.Item1).Select(p => KeyValuePair.Create(p.Item1, p.Item2))))));
}
