plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

// The Rust build cache, as the repository's scripts use it (scripts/env.sh).
val cargoTargetDir: String = System.getenv("CARGO_TARGET_DIR")
    ?: "${System.getenv("XDG_CACHE_HOME") ?: "${System.getProperty("user.home")}/.cache"}/gridbook/target"

android {
    namespace = "org.gridbook.demo"
    compileSdk = 36

    defaultConfig {
        applicationId = "org.gridbook.demo"
        // 26: java.time without desugaring; JNA and LocationManagerCompat work from there.
        minSdk = 26
        targetSdk = 36
        versionCode = 1
        versionName = "0.1"
        ndk {
            // Of the SDK's four ABIs (scripts/package-kotlin), the phones' three.
            abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64")
        }
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    buildFeatures {
        compose = true
    }


    testOptions {
        unitTests.all { test ->
            // The JVM tests run against the host build of libgridbook_ffi and a real gridbook-server.
            test.systemProperty("jna.library.path", "$cargoTargetDir/debug")
            test.environment("GRIDBOOK_SERVER", "$cargoTargetDir/debug/gridbook-server")
            test.jvmArgs("-ea")
        }
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17)
    }
}

dependencies {
    implementation(libs.androidx.core.ktx)
    implementation(libs.androidx.activity.compose)
    implementation(libs.androidx.lifecycle.viewmodel.compose)
    implementation(libs.androidx.lifecycle.runtime.compose)
    implementation(platform(libs.compose.bom))
    implementation(libs.compose.ui)
    implementation(libs.compose.ui.tooling.preview)
    implementation(libs.compose.material3)
    implementation(libs.kotlinx.coroutines.android)
    // The Gridbook SDK, packaged by scripts/package-kotlin into the Maven
    // repository settings.gradle.kts names: its Kotlin and libgridbook_ffi.so
    // for every ABI. Its pom brings kotlinx-coroutines and JNA's jar; the
    // app takes JNA's AAR instead, which carries JNA's Android natives.
    implementation(libs.gridbook.android) {
        exclude(group = "net.java.dev.jna", module = "jna")
    }
    implementation("net.java.dev.jna:jna:${libs.versions.jna.get()}@aar")
    debugImplementation(libs.compose.ui.tooling)

    // JVM unit tests (src/test/java): JNA's desktop jar, JUnit 4 and kotlin.test.
    testImplementation(libs.jna)
    testImplementation(libs.junit)
    testImplementation(libs.kotlin.test.junit)
}
