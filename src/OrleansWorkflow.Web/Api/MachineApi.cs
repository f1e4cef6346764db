using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrleansWorkflow.Client;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Web.Security;

namespace OrleansWorkflow.Web.Api;

/// <summary>/api/machines: the HPC machines and their modes (viewer), the simulations a machine's limits hold back (viewer), and a machine's mode changed (operator), as <c>owf machines</c>; /api/schedules: the schedules of recurring incidents (viewer), as <c>owf schedules</c>.</summary>
internal static class MachineApi
{
    public static IEndpointRouteBuilder MapMachineApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/machines", async (WorkflowClient workflow) => Results.Json(await workflow.GetMachines()));
        app.MapPost("/api/machines/{machine}/mode", SetMode).Body<MachineModeBody>().Mutation();
        app.MapGet("/api/machines/{machine}/waiting", (string machine, WorkflowClient workflow) => ApiProblem.Guard(async () => Results.Json(await workflow.GetWaitingSimulations(machine))));
        app.MapGet("/api/schedules", async (WorkflowClient workflow) => Results.Json(await workflow.GetSchedules()));
        return app;
    }

    private static Task<IResult> SetMode(string machine, HttpRequest request, WorkflowClient workflow) => ApiProblem.Guard(async () =>
    {
        const string Example = "{\"mode\": \"Draining\", \"reason\": \"maintenance until 14:00\"}";
        if (await JsonBody.ReadObjectAsync(request) is not { } body)
            return ApiProblem.BadRequest($"the body must be a JSON object like {Example}");
        var reason = JsonBody.Text(body, "reason");
        if (body["mode"] is not { } given || given.GetValueKind() != JsonValueKind.String || !Enum.TryParse<MachineMode>(given.GetValue<string>(), ignoreCase: true, out var mode) || !Enum.IsDefined(mode))
            return ApiProblem.BadRequest($"\"mode\" must be one of {string.Join(", ", Enum.GetNames<MachineMode>())}, like {Example}");
        if (string.IsNullOrWhiteSpace(reason))
            return ApiProblem.BadRequest($"give a \"reason\" for the other operators, like {Example}");
        return Results.Json(await workflow.SetMachineMode(machine, mode, reason));
    });
}
