namespace Dashboard.Demo.Codegen;

/// <summary>The demo code-generation backend: login, start/iterate, stream tokens, stream, status, cancel.</summary>
public static class CodegenEndpoints
{
    private static readonly string[] Modes = ["enhanced", "classic", "auto"];
    private static readonly string[] TechStacks = ["fastapi_sqlite", "fastapi_postgres", "fastapi_mongo"];
    private static readonly string[] Domains =
        ["ecommerce", "social_media", "content_management", "task_management", "fintech", "healthcare", "general"];

    public static void Map(IEndpointRouteBuilder group)
    {
        group.MapPost("/auth/login", LoginAsync);
        group.MapPost("/generations/generate", GenerateAsync);
        group.MapPost("/generations/iterate", IterateAsync);
        group.MapPost("/generations/generate/{id}/stream-token", IssueStreamToken);
        group.MapGet("/generations/generate/{id}/stream", StreamAsync);
        group.MapGet("/generations/{id}", GetStatus);
        group.MapPost("/generations/{id}/cancel", Cancel);
    }

    private static async Task<IResult> LoginAsync(HttpContext context, CodegenStore store, DemoCredentials credentials)
    {
        if (!context.Request.HasFormContentType)
        {
            return FastApiErrors.Validation("username", "missing", "Field required", null);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var username = form["username"].FirstOrDefault();
        var password = form["password"].FirstOrDefault();
        if (username is null || password is null)
        {
            return FastApiErrors.Validation(username is null ? "username" : "password", "missing", "Field required", null);
        }

        if (!DemoCredentials.SameSecret(username, DemoCredentials.Username) || !DemoCredentials.SameSecret(password, credentials.Password))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return FastApiErrors.Detail(StatusCodes.Status401Unauthorized, "Incorrect username or password");
        }

        return DemoSse.Json(CodegenJson.Token(store.IssueAccessToken()));
    }

    private static async Task<IResult> GenerateAsync(HttpContext context, CodegenStore store)
    {
        if (Unauthorized(context, store) is { } denied)
        {
            return denied;
        }

        var body = await DemoRequestBody.ReadAsync(context.Request, allowEmpty: false, context.RequestAborted);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var prompt = body.GetString("prompt", out var error);
        error ??= FastApiErrors.CheckLength("prompt", prompt, 10, 5000);
        var mode = error is null ? OneOf(body, "generation_mode", Modes, out error) : null;
        _ = error is null ? OneOf(body, "tech_stack", TechStacks, out error) : null;
        _ = error is null ? OneOf(body, "domain", Domains, out error) : null;
        var parent = error is null ? body.GetString("parent_generation_id", out error) : null;
        if (error is null && parent is not null && !Guid.TryParse(parent, out _))
        {
            error = FastApiErrors.Validation("parent_generation_id", "uuid_parsing", "Input should be a valid UUID", parent);
        }

        var isIteration = body.Root.TryGetProperty("is_iteration", out var flag) && flag.ValueKind == System.Text.Json.JsonValueKind.True;
        if (error is null && isIteration && parent is null)
        {
            error = FastApiErrors.Validation("", "value_error", "Value error, parent_generation_id is required when is_iteration is true", null);
        }

        if (error is not null)
        {
            return error;
        }

        var generation = store.Start(prompt!, isIteration, parent, Resolve(mode, isIteration));
        return DemoSse.Json(CodegenJson.Started(generation), StatusCodes.Status201Created);
    }

    private static async Task<IResult> IterateAsync(HttpContext context, CodegenStore store)
    {
        if (Unauthorized(context, store) is { } denied)
        {
            return denied;
        }

        var body = await DemoRequestBody.ReadAsync(context.Request, allowEmpty: false, context.RequestAborted);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var parent = body.GetString("parent_generation_id", out var error);
        if (error is null && parent is null)
        {
            error = FastApiErrors.Validation("parent_generation_id", "missing", "Field required", null);
        }
        else if (error is null && !Guid.TryParse(parent, out _))
        {
            error = FastApiErrors.Validation("parent_generation_id", "uuid_parsing", "Input should be a valid UUID", parent);
        }

        var prompt = error is null ? body.GetString("modification_prompt", out error) : null;
        error ??= FastApiErrors.CheckLength("modification_prompt", prompt, 10, 2000);
        var mode = error is null ? OneOf(body, "generation_mode", Modes, out error) : null;
        if (error is not null)
        {
            return error;
        }

        // Lenient on purpose: an unknown parent is taken as a project made before this demo started.
        var generation = store.Start(prompt!, isIteration: true, parent, Resolve(mode, isIteration: true));
        return DemoSse.Json(CodegenJson.Started(generation), StatusCodes.Status201Created);
    }

    private static IResult IssueStreamToken(string id, HttpContext context, CodegenStore store)
    {
        if (Unauthorized(context, store) is { } denied)
        {
            return denied;
        }

        if (store.Find(id) is not { } generation)
        {
            return FastApiErrors.Detail(StatusCodes.Status404NotFound, "Generation not found");
        }

        if (generation.Current().Final)
        {
            return FastApiErrors.Detail(StatusCodes.Status400BadRequest, $"Generation is already {generation.Current().Status}");
        }

        var token = store.IssueStreamToken(id);
        var request = context.Request;
        var streamUrl = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path.Value![..^"/stream-token".Length]}/stream?token={token}";
        return DemoSse.Json(CodegenJson.StreamToken(token, streamUrl, id));
    }

    /// <summary>Replays the kept events (≤ 50), then follows live; closes after the final event.</summary>
    private static async Task StreamAsync(string id, string? token, HttpContext context, CodegenStore store, DemoRuntime runtime)
    {
        var check = store.UseStreamToken(token, id);
        if (check != StreamTokenCheck.Valid)
        {
            var denied = check == StreamTokenCheck.Unknown
                ? FastApiErrors.Detail(StatusCodes.Status401Unauthorized, "Invalid or expired stream token")
                : FastApiErrors.Detail(StatusCodes.Status403Forbidden, "Stream token already used or not for this generation");
            await denied.ExecuteAsync(context);
            return;
        }

        if (store.Find(id) is not { } generation)
        {
            await FastApiErrors.Detail(StatusCodes.Status404NotFound, "Generation not found").ExecuteAsync(context);
            return;
        }

        using var stream = runtime.Follow(context.RequestAborted);
        var aborted = stream.Token;
        try
        {
            await DemoSse.StartAsync(context.Response, aborted);
            var state = generation.Current();
            var status = state.Status == "pending" ? "processing" : state.Status;
            await DemoSse.WriteDataAsync(context.Response, CodegenJson.ProgressEvent(
                generation.Id, status, "connected", state.Progress, "Connected to generation stream",
                generation.Mode, null, runtime.UnixSeconds()), aborted);

            long lastSeq = 0;
            while (true)
            {
                var (events, changed) = generation.Read(lastSeq);
                foreach (var item in events)
                {
                    if (generation.TryClaimDrop(item.Seq))
                    {
                        // Outcome drop: the connection dies mid-run; the generation carries on.
                        context.Abort();
                        return;
                    }

                    await DemoSse.WriteDataAsync(context.Response, item.Json, aborted);
                    lastSeq = item.Seq;
                    if (item.Final)
                    {
                        return;
                    }
                }

                await changed.WaitAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away or the app is stopping; the generation keeps running.
        }
    }

    private static IResult GetStatus(string id, HttpContext context, CodegenStore store)
    {
        if (Unauthorized(context, store) is { } denied)
        {
            return denied;
        }

        return store.Find(id) is { } generation
            ? DemoSse.Json(CodegenJson.Status(generation))
            : FastApiErrors.Detail(StatusCodes.Status404NotFound, "Generation not found");
    }

    private static IResult Cancel(string id, HttpContext context, CodegenStore store)
    {
        if (Unauthorized(context, store) is { } denied)
        {
            return denied;
        }

        if (store.Find(id) is not { } generation)
        {
            return FastApiErrors.Detail(StatusCodes.Status404NotFound, "Generation not found");
        }

        return generation.TryCancel()
            ? DemoSse.Json(CodegenJson.Cancelled(id))
            : FastApiErrors.Detail(StatusCodes.Status400BadRequest, $"Generation is already {generation.Current().Status}");
    }

    private static IResult? Unauthorized(HttpContext context, CodegenStore store)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return FastApiErrors.Detail(StatusCodes.Status401Unauthorized, "Not authenticated");
        }

        if (!store.IsValidAccessToken(header["Bearer ".Length..].Trim()))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return FastApiErrors.Detail(StatusCodes.Status401Unauthorized, "Could not validate credentials");
        }

        return null;
    }

    private static string? OneOf(DemoRequestBody body, string name, string[] allowed, out IResult? error)
    {
        var value = body.GetString(name, out error);
        if (error is null && value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            error = FastApiErrors.Validation(name, "enum", $"Input should be {string.Join(", ", allowed.Select(a => $"'{a}'"))}", value);
        }

        return value;
    }

    private static string Resolve(string? mode, bool isIteration) => mode switch
    {
        "enhanced" or "classic" => mode,
        _ => isIteration ? "classic" : "enhanced",
    };
}
