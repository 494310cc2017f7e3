package migrations_test

// extraModels are the domain models checked by TestModelsMatchSchema.
var extraModels = []any{}
