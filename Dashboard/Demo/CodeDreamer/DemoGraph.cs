namespace Dashboard.Demo.CodeDreamer;

/// <summary>One consistent view of the demo graph: tiers and types each sum to <see cref="Nodes"/>.</summary>
public sealed record GraphSnapshot(int Nodes, int Edges, int[] Tiers, int[] Types)
{
    public static readonly string[] TierNames = ["HOT", "WARM", "COLD"];
    public static readonly string[] TypeNames = ["FACT", "CONCEPT", "CODE", "DREAM", "ENTITY"];

    public double AvgEntanglement => Nodes == 0 ? 0.0 : Math.Round((double)Edges / Nodes, 3);
}

/// <summary>
/// The demo's knowledge graph. It grows in bursts of a few nodes every few seconds, with now and
/// then a long silent stretch; older nodes cool down (HOT → WARM → COLD). The schedule is advanced
/// lazily from the clock whenever someone looks, so no background task is needed and a fake
/// <see cref="TimeProvider"/> drives it exactly.
/// </summary>
public sealed class DemoGraph
{
    private const int Hot = 0;
    private const int Warm = 1;
    private const int Cold = 2;
    private const int Dream = 3;

    // New nodes by type: ENTITY and DREAM dominate, CODE is rare (FACT, CONCEPT, CODE, DREAM, ENTITY).
    private static readonly int[] TypeWeights = [10, 15, 5, 30, 40];

    private readonly DemoRuntime _runtime;
    private readonly Random _random;
    private readonly Lock _gate = new();
    private readonly int[] _tiers = [9, 19, 12];
    private readonly int[] _types = [3, 2, 0, 14, 21];
    private int _nodes = 40;
    private int _edges = 57;
    private int _bursts;
    private DateTimeOffset _nextBurst;

    public DemoGraph(DemoRuntime runtime)
    {
        _runtime = runtime;
        _random = runtime.NewRandom(stream: 1);
        _nextBurst = runtime.Time.GetUtcNow() + runtime.Scale(TimeSpan.FromSeconds(1 + _random.NextDouble() * 2));
    }

    public GraphSnapshot Snapshot()
    {
        lock (_gate)
        {
            Advance();
            return new GraphSnapshot(_nodes, _edges, (int[])_tiers.Clone(), (int[])_types.Clone());
        }
    }

    /// <summary>A dream adds its own node, plus the entities it mentions.</summary>
    public GraphSnapshot AddDream()
    {
        lock (_gate)
        {
            Advance();
            AddNode(Dream);
            for (var i = _random.Next(0, 3); i > 0; i--)
            {
                AddNode(PickType());
            }

            return new GraphSnapshot(_nodes, _edges, (int[])_tiers.Clone(), (int[])_types.Clone());
        }
    }

    private void Advance()
    {
        var now = _runtime.Time.GetUtcNow();
        while (_nextBurst <= now)
        {
            Burst();
            _nextBurst += _runtime.Scale(TimeSpan.FromSeconds(NextGapSeconds()));
            if (_runtime.TimeScale == 0)
            {
                // Without time there is no schedule: one burst per look is the most that makes sense.
                _nextBurst = now + TimeSpan.FromTicks(1);
            }
        }
    }

    // The first bursts come quickly so a new viewer sees the graph move; later a quiet spell is possible.
    private double NextGapSeconds() =>
        _bursts > 4 && _random.Next(100) < 12 ? 20 + _random.NextDouble() * 40 : 2 + _random.NextDouble() * 4;

    private void Burst()
    {
        _bursts++;
        Cool();
        for (var i = _random.Next(1, 5); i > 0; i--)
        {
            AddNode(PickType());
        }
    }

    private void AddNode(int type)
    {
        _nodes++;
        _types[type]++;
        _tiers[Hot]++;
        _edges += _random.Next(1, 3);
    }

    private void Cool()
    {
        var toCold = Math.Min(_tiers[Warm], _random.Next(0, 2));
        _tiers[Warm] -= toCold;
        _tiers[Cold] += toCold;
        var toWarm = Math.Min(_tiers[Hot], _random.Next(0, 3));
        _tiers[Hot] -= toWarm;
        _tiers[Warm] += toWarm;
    }

    private int PickType()
    {
        var roll = _random.Next(TypeWeights.Sum());
        for (var i = 0; i < TypeWeights.Length; i++)
        {
            roll -= TypeWeights[i];
            if (roll < 0)
            {
                return i;
            }
        }

        return TypeWeights.Length - 1;
    }
}
