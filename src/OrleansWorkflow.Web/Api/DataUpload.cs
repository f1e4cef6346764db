using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OrleansWorkflow.Client;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Simulations.Data;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Web.Api;

/// <summary>
/// PUT /api/incidents/{id}/data/{name}?machine=m: an operator's file (the body, any size up to Web:MaxUploadBytes)
/// streamed onto an HPC machine as the incident's data, hashed on the way; the machine hashes it again, and it is
/// ready once both agree.
/// </summary>
internal static class DataUpload
{
    public static Task<IResult> UploadAsync(string id, string name, [FromQuery] string? machine, HttpContext http, [FromServices] WorkflowClient workflow,
        [FromServices] IGrainFactory grains, [FromServices] HpcMachines machines, [FromServices] IOptions<WebOptions> web) => IncidentApi.WithIncident(id, workflow, async (incident, info) =>
    {
        // Everything that refuses the upload is checked before anything is recorded.
        DataItem.ValidateName(name);
        if (string.IsNullOrWhiteSpace(machine))
            return ApiProblem.BadRequest("Name the machine to keep the data on: ?machine=<a configured HPC machine>.");
        machines.Require(machine);
        if (info.Status.IsFinished())
            return ApiProblem.Conflict($"incident {incident} is {info.Status}; data is uploaded to running incidents only");
        var limit = web.Value.MaxUploadBytes;
        if (http.Request.ContentLength > limit)
            return Results.Json(new { error = $"the file is {http.Request.ContentLength} bytes, over Web:MaxUploadBytes ({limit})" }, statusCode: StatusCodes.Status413PayloadTooLarge);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = limit;

        var data = grains.GetGrain<IIncidentDataGrain>(incident);
        var path = await data.BeginUpload(name, machine, http.User.Identity?.Name ?? "an operator");
        string sha256;
        long bytes;
        try
        {
            (sha256, bytes) = await CopyAsync(http.Request.Body, await machines.Get(machine).OpenWriteAsync(path, http.RequestAborted), http.RequestAborted);
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException or OperationCanceledException or MachineUnreachableException or InvalidOperationException)
        {
            await data.FailUpload(name, e.Message);
            return e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
                ? Results.Json(new { error = $"the file is over Web:MaxUploadBytes ({limit})" }, statusCode: StatusCodes.Status413PayloadTooLarge)
                : ApiProblem.Conflict($"the upload of {name} broke off: {e.Message}");
        }
        await data.EndUpload(name, sha256);
        return Results.Json(new { name, machine, bytes, sha256, status = DataStatus.Pending }, statusCode: StatusCodes.Status202Accepted);
    });

    /// <summary>Copies the body to the machine's file a buffer at a time, hashing it; returns its SHA-256 and size.</summary>
    private static async Task<(string Sha256, long Bytes)> CopyAsync(Stream body, Stream target, CancellationToken cancellationToken)
    {
        await using var _ = target;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long bytes = 0;
        int count;
        while ((count = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, count);
            await target.WriteAsync(buffer.AsMemory(0, count), cancellationToken);
            bytes += count;
        }
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), bytes);
    }
}
