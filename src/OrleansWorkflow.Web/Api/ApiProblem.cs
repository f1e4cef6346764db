using Microsoft.AspNetCore.Http;

namespace OrleansWorkflow.Web.Api;

/// <summary>The API's errors: a status code and one sentence that says what was wrong and what to do.</summary>
internal static class ApiProblem
{
    public static IResult BadRequest(string reason) => Results.Json(new { error = reason }, statusCode: StatusCodes.Status400BadRequest);

    public static IResult NotFound(string reason) => Results.Json(new { error = reason }, statusCode: StatusCodes.Status404NotFound);

    public static IResult Conflict(string reason) => Results.Json(new { error = reason }, statusCode: StatusCodes.Status409Conflict);

    /// <summary>Runs an endpoint, turning the client library's refusals into 400 (bad argument) and 409 (wrong state).</summary>
    public static async Task<IResult> Guard(Func<Task<IResult>> endpoint)
    {
        try
        {
            return await endpoint();
        }
        catch (ArgumentException e)
        {
            return BadRequest(e.Message);
        }
        catch (InvalidOperationException e)
        {
            return Conflict(e.Message);
        }
    }
}
