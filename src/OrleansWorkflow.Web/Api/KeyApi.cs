using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrleansWorkflow.Web.Security;

namespace OrleansWorkflow.Web.Api;

/// <summary>/api/keys (admin): list the keys (never a key or its hash), create one (shown once), remove one.</summary>
internal static class KeyApi
{
    public static IEndpointRouteBuilder MapKeyApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/keys");
        keys.MapGet("", List).RequireAuthorization(AccessRole.Admin.Name());
        keys.MapPost("", Create).Body<NewKeyBody>().Mutation(AccessRole.Admin);
        keys.MapDelete("/{name}", Remove).Mutation(AccessRole.Admin);
        return app;
    }

    private static async Task<IResult> List(AccessKeyStore store) =>
        Results.Json((await store.ListAsync()).Select(k => new { name = k.Name, role = k.Role.Name(), source = k.Source, createdAt = k.CreatedAt, createdBy = k.CreatedBy }));

    private static Task<IResult> Create(HttpContext http, AccessKeyStore store) => ApiProblem.Guard(async () =>
    {
        var body = await JsonBody.ReadObjectAsync(http.Request);
        var name = JsonBody.Text(body, "name")?.Trim();
        var role = AccessRoles.Parse(JsonBody.Text(body, "role"));
        if (string.IsNullOrEmpty(name) || role is null)
            return ApiProblem.BadRequest("the body must be like {\"name\": \"ops-desk\", \"role\": \"operator\"} (roles: viewer, operator, admin)");
        var key = await store.CreateAsync(name, role.Value, http.User.Who().Name);
        return Results.Created($"/api/keys/{Uri.EscapeDataString(name)}", new { name, role = role.Value.Name(), key });
    });

    private static Task<IResult> Remove(string name, AccessKeyStore store) => ApiProblem.Guard(async () =>
        await store.RemoveAsync(name) ? Results.NoContent() : ApiProblem.NotFound($"no key is named \"{name}\"; GET /api/keys lists them"));
}
