using System.Collections.Immutable;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Dashboard.Tests.Architecture;

/// <summary>
/// Every type reference between top-level folders (namespaces <c>Dashboard.X</c>) of the compiled
/// Dashboard assembly: base types and interfaces, field, method, property and event signatures,
/// generic constraints, custom attributes, and every type, method and field token in every method
/// body. Compiler-generated types (lambdas, state machines) count for the type that declares them.
/// <c>Program</c>, the composition root, belongs to no folder.
/// </summary>
internal sealed class FolderDependencies
{
    private static readonly Dictionary<short, OpCode> OpCodeByValue = typeof(OpCodes).GetFields()
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private readonly MetadataReader _reader;
    private readonly Dictionary<(string From, string To), int> _counts = [];

    private FolderDependencies(MetadataReader reader) => _reader = reader;

    /// <summary>(from, to) → number of references.</summary>
    public IReadOnlyDictionary<(string From, string To), int> Counts => _counts;

    public SortedSet<string> Folders { get; } = new(StringComparer.Ordinal);

    public static FolderDependencies Of(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var result = new FolderDependencies(pe.GetMetadataReader());
        result.Scan(pe);
        return result;
    }

    private void Scan(PEReader pe)
    {
        foreach (var handle in _reader.TypeDefinitions)
        {
            if (FolderOf(handle) is not { } from)
            {
                continue;
            }

            Folders.Add(from);
            var type = _reader.GetTypeDefinition(handle);
            var context = new Context(from);
            var provider = new TypeCollector(this, context);
            AddEntity(context, type.BaseType);
            foreach (var i in type.GetInterfaceImplementations())
            {
                AddEntity(context, _reader.GetInterfaceImplementation(i).Interface);
            }

            AddAttributes(context, type.GetCustomAttributes());
            AddGenericParameters(context, type.GetGenericParameters());
            foreach (var f in type.GetFields())
            {
                var field = _reader.GetFieldDefinition(f);
                field.DecodeSignature(provider, context);
                AddAttributes(context, field.GetCustomAttributes());
            }

            foreach (var p in type.GetProperties())
            {
                var property = _reader.GetPropertyDefinition(p);
                property.DecodeSignature(provider, context);
                AddAttributes(context, property.GetCustomAttributes());
            }

            foreach (var m in type.GetMethods())
            {
                var method = _reader.GetMethodDefinition(m);
                method.DecodeSignature(provider, context);
                AddAttributes(context, method.GetCustomAttributes());
                AddGenericParameters(context, method.GetGenericParameters());
                foreach (var p in method.GetParameters())
                {
                    AddAttributes(context, _reader.GetParameter(p).GetCustomAttributes());
                }

                if (method.RelativeVirtualAddress != 0)
                {
                    var body = pe.GetMethodBody(method.RelativeVirtualAddress);
                    if (!body.LocalSignature.IsNil)
                    {
                        _reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, context);
                    }

                    ScanIl(context, body.GetILBytes()!);
                }
            }
        }
    }

    private void ScanIl(Context context, byte[] il)
    {
        for (var i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var opCode = OpCodeByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineType:
                case OperandType.InlineTok:
                case OperandType.InlineSig:
                    AddToken(context, BitConverter.ToInt32(il, i));
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + (4 * BitConverter.ToInt32(il, i));
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }

    private void AddToken(Context context, int token)
    {
        var handle = MetadataTokens.EntityHandle(token);
        if (handle.Kind == HandleKind.StandaloneSignature)
        {
            var signature = _reader.GetStandaloneSignature((StandaloneSignatureHandle)handle);
            if (signature.GetKind() == StandaloneSignatureKind.Method)
            {
                signature.DecodeMethodSignature(new TypeCollector(this, context), context);
            }

            return;
        }

        AddEntity(context, handle);
    }

    private void AddEntity(Context context, EntityHandle handle)
    {
        if (handle.IsNil)
        {
            return;
        }

        var provider = new TypeCollector(this, context);
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                Add(context, (TypeDefinitionHandle)handle);
                break;
            case HandleKind.TypeSpecification:
                _reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(provider, context);
                break;
            case HandleKind.MethodDefinition:
                Add(context, _reader.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.FieldDefinition:
                Add(context, _reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.MemberReference:
                var member = _reader.GetMemberReference((MemberReferenceHandle)handle);
                AddEntity(context, member.Parent);
                if (member.GetKind() == MemberReferenceKind.Method)
                {
                    member.DecodeMethodSignature(provider, context);
                }
                else
                {
                    member.DecodeFieldSignature(provider, context);
                }

                break;
            case HandleKind.MethodSpecification:
                var spec = _reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                AddEntity(context, spec.Method);
                spec.DecodeSignature(provider, context);
                break;
        }
    }

    private void AddAttributes(Context context, CustomAttributeHandleCollection attributes)
    {
        foreach (var a in attributes)
        {
            AddEntity(context, _reader.GetCustomAttribute(a).Constructor);
        }
    }

    private void AddGenericParameters(Context context, GenericParameterHandleCollection parameters)
    {
        foreach (var p in parameters)
        {
            foreach (var c in _reader.GetGenericParameter(p).GetConstraints())
            {
                AddEntity(context, _reader.GetGenericParameterConstraint(c).Type);
            }
        }
    }

    private void Add(Context context, TypeDefinitionHandle handle)
    {
        if (FolderOf(handle) is { } to && to != context.From)
        {
            _counts[(context.From, to)] = _counts.GetValueOrDefault((context.From, to)) + 1;
        }
    }

    /// <summary>"Backends" for Dashboard.Backends.Codegen.CodegenClient and its nested and generated types; null outside Dashboard.X.</summary>
    private string? FolderOf(TypeDefinitionHandle handle)
    {
        var type = _reader.GetTypeDefinition(handle);
        while (type.GetDeclaringType() is { IsNil: false } outer)
        {
            type = _reader.GetTypeDefinition(outer);
        }

        var ns = _reader.GetString(type.Namespace);
        var parts = ns.Split('.');
        return parts.Length >= 2 && parts[0] == "Dashboard" ? parts[1] : null;
    }

    private sealed record Context(string From);

    /// <summary>Records every type definition a signature names.</summary>
    private sealed class TypeCollector(FolderDependencies owner, Context context) : ISignatureTypeProvider<int, Context>
    {
        public int GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            owner.Add(context, handle);
            return 0;
        }

        public int GetTypeFromSpecification(MetadataReader reader, Context genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public int GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => 0;

        public int GetPrimitiveType(PrimitiveTypeCode typeCode) => 0;

        public int GetSZArrayType(int elementType) => 0;

        public int GetArrayType(int elementType, ArrayShape shape) => 0;

        public int GetByReferenceType(int elementType) => 0;

        public int GetPointerType(int elementType) => 0;

        public int GetPinnedType(int elementType) => 0;

        public int GetGenericInstantiation(int genericType, ImmutableArray<int> typeArguments) => 0;

        public int GetGenericMethodParameter(Context genericContext, int index) => 0;

        public int GetGenericTypeParameter(Context genericContext, int index) => 0;

        public int GetFunctionPointerType(MethodSignature<int> signature) => 0;

        public int GetModifiedType(int modifier, int unmodifiedType, bool isRequired) => 0;
    }
}
