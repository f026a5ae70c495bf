namespace Dashboard.Demo.CodeDreamer;

/// <summary>CodeDreamer's bodies, key for key in the server's order.</summary>
public static class CodeDreamerJson
{
    /// <summary>The <c>/events</c> update, written by Python's <c>json.dumps</c> (spaced separators).</summary>
    public static string Update(GraphSnapshot graph)
    {
        var json = DemoJson.PythonDumps().StartObject()
            .Property("type", "update")
            .Property("nodes", graph.Nodes);
        WriteCounts(json, graph);
        return json.EndObject().ToString();
    }

    /// <summary><c>GET /graph/stats</c>, a FastAPI response (compact).</summary>
    public static string Stats(GraphSnapshot graph)
    {
        var json = DemoJson.Compact().StartObject()
            .Property("total_nodes", graph.Nodes)
            .Property("total_edges", graph.Edges)
            .Property("avg_entanglement", graph.AvgEntanglement);
        WriteCounts(json, graph);
        return json.EndObject().ToString();
    }

    public static string Health(GraphSnapshot graph, int activeTasks, long nextDreamSeconds) =>
        DemoJson.Compact().StartObject()
            .Property("status", "healthy")
            .Property("models_loaded", true)
            .Property("graph_nodes", graph.Nodes)
            .Property("active_tasks", activeTasks)
            .Name("thinking").StartObject()
                .NullProperty("active_model")
                .Property("is_generating", activeTasks > 0)
                .Property("token_count", 0)
                .NullProperty("current_prompt")
                .NullProperty("current_output")
            .EndObject()
            .Property("next_dream_seconds", nextDreamSeconds)
            .EndObject().ToString();

    public static string Dream(string content, string category, double novelty, string timestamp) =>
        DemoJson.Compact().StartObject()
            .Property("content", content)
            .Property("category", category)
            .Property("novelty_score", novelty)
            .Property("timestamp", timestamp)
            .EndObject().ToString();

    private static void WriteCounts(DemoJson json, GraphSnapshot graph)
    {
        json.Name("tiers").StartObject();
        for (var i = 0; i < GraphSnapshot.TierNames.Length; i++)
        {
            json.Property(GraphSnapshot.TierNames[i], graph.Tiers[i]);
        }

        json.EndObject().Name("types").StartObject();
        for (var i = 0; i < GraphSnapshot.TypeNames.Length; i++)
        {
            json.Property(GraphSnapshot.TypeNames[i], graph.Types[i]);
        }

        json.EndObject();
    }
}
