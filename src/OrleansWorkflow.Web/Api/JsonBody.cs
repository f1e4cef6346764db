using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace OrleansWorkflow.Web.Api;

/// <summary>Request bodies of the JSON routes.</summary>
internal static class JsonBody
{
    /// <summary>The request body as a JSON object, or null when it is empty, not JSON or not an object.</summary>
    public static async Task<JsonObject?> ReadObjectAsync(HttpRequest request)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The string at <paramref name="key"/>, or null when it is missing or not a string.</summary>
    public static string? Text(JsonObject? body, string key) =>
        body?[key] is { } value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
